import { LineIcon } from '../../components/LineIcon.js'
import styles from './Board.module.css'
import { COLORS, STROKE_WIDTHS, TOOLS, type Tool } from './tools.js'

const UNDO = 'M9 14L4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11'
const REDO = 'M15 14l5-5-5-5m5 5H9.5a5.5 5.5 0 0 0 0 11H13'
const TRASH = 'M4 7h16M10 11v6m4-6v6M5 7l1 12a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2l1-12M9 7V4h6v3'
const DOWNLOAD = 'M12 4v11m0 0l-4-4m4 4l4-4M5 20h14'
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
const MOD = isMac ? 'Meta' : 'Control'

export interface ToolbarProps {
  tool: Tool
  color: string
  strokeWidth: number
  canUndo: boolean
  canRedo: boolean
  canDelete: boolean
  canExport: boolean
  zoom: number
  onTool: (tool: Tool) => void
  onColor: (color: string) => void
  onStrokeWidth: (width: number) => void
  onUndo: () => void
  onRedo: () => void
  onDelete: () => void
  onZoom: (direction: 1 | -1 | 0) => void
  onExport: () => void
}

/** Every tool and action is a button with a name, its shortcut announced (`aria-keyshortcuts`) and shown on hover. */
export function Toolbar(props: ToolbarProps) {
  return (
    <div className={styles.toolbar} role="toolbar" aria-label="Drawing tools">
      <div className={styles.group}>
        {TOOLS.map(({ tool, label, key, icon }) => (
          <button
            key={tool}
            type="button"
            className={styles.tool}
            aria-pressed={props.tool === tool}
            aria-label={label}
            aria-keyshortcuts={key.toUpperCase()}
            title={`${label} (${key.toUpperCase()})`}
            onClick={() => props.onTool(tool)}
          >
            <LineIcon path={icon} />
          </button>
        ))}
      </div>
      <div className={styles.group} role="radiogroup" aria-label="Colour">
        {COLORS.map(({ value, name }) => (
          <button
            key={value}
            type="button"
            role="radio"
            aria-checked={props.color === value}
            aria-label={name}
            title={name}
            className={styles.swatch}
            style={{ background: value }}
            onClick={() => props.onColor(value)}
          />
        ))}
      </div>
      <label className={styles.group}>
        <span className="visually-hidden">Stroke width</span>
        <select className={`input ${styles.select}`} value={props.strokeWidth} onChange={(event) => props.onStrokeWidth(Number(event.target.value))}>
          {STROKE_WIDTHS.map(({ value, name }) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <div className={styles.group}>
        <button type="button" className={styles.tool} aria-label="Undo" aria-keyshortcuts={`${MOD}+Z`} title="Undo" disabled={!props.canUndo} onClick={props.onUndo}>
          <LineIcon path={UNDO} />
        </button>
        <button type="button" className={styles.tool} aria-label="Redo" aria-keyshortcuts={`${MOD}+Shift+Z ${MOD}+Y`} title="Redo" disabled={!props.canRedo} onClick={props.onRedo}>
          <LineIcon path={REDO} />
        </button>
        <button type="button" className={styles.tool} aria-label="Delete shape" aria-keyshortcuts="Delete" title="Delete shape (Delete)" disabled={!props.canDelete} onClick={props.onDelete}>
          <LineIcon path={TRASH} />
        </button>
      </div>
      <div className={styles.group}>
        <button type="button" className={styles.tool} aria-label="Zoom out" aria-keyshortcuts="-" title="Zoom out (-)" onClick={() => props.onZoom(-1)}>
          <LineIcon path="M5 12h14" />
        </button>
        <button type="button" className={styles.zoomLevel} aria-label="Reset zoom" aria-keyshortcuts="0" title="Reset zoom (0)" onClick={() => props.onZoom(0)}>
          {Math.round(props.zoom * 100)}%
        </button>
        <button type="button" className={styles.tool} aria-label="Zoom in" aria-keyshortcuts="+" title="Zoom in (+)" onClick={() => props.onZoom(1)}>
          <LineIcon path="M12 5v14M5 12h14" />
        </button>
      </div>
      <button type="button" className={`btn btn-small ${styles.export}`} aria-label="Export as PNG" title="Export the board as a PNG image" disabled={!props.canExport} onClick={props.onExport}>
        <LineIcon path={DOWNLOAD} />
        <span>PNG</span>
      </button>
    </div>
  )
}
