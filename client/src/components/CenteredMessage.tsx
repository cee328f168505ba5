import type { ReactNode } from 'react'
import styles from './CenteredMessage.module.css'

/** A calm full-page message (not found, room deleted, errors) with actions below. */
export function CenteredMessage({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <section className={styles.wrap} aria-labelledby="centered-title">
      <div className={styles.card}>
        <h1 id="centered-title">
          {title}
        </h1>
        {children && <div className={styles.body}>{children}</div>}
        {actions && <div className={styles.actions}>{actions}</div>}
      </div>
    </section>
  )
}
