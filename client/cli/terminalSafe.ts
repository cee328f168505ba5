/**
 * Text from other people (messages, names, server messages), made safe to print on a terminal.
 *
 * A terminal obeys control characters in what it is given: ESC starts sequences that clear the
 * screen, move the cursor, retitle the window or (in some terminals) write to the clipboard, and
 * CR or BS can overwrite what was printed. So every C0 and C1 control character and DEL is shown
 * as a visible symbol instead (ESC as ␛, U+241B), never written as itself. Bidirectional overrides
 * are replaced too: they cannot drive the terminal, but they can make a line read differently
 * than it is. Newlines stay newlines, indented by `indent`, so a multi-line message cannot forge a
 * line that looks like another person's message.
 *
 * @example terminalSafe('\u001b[2Jhi') // '␛[2Jhi'
 */
export function terminalSafe(text: string, indent = ''): string {
  return text.replace(UNSAFE, (char) => {
    if (char === '\n') return `\n${indent}`
    if (char === '\t') return ' '
    const code = char.charCodeAt(0)
    if (code < 0x20) return String.fromCharCode(0x2400 + code) // Control Pictures: ␀ … ␟
    if (code === 0x7f) return '\u2421' // ␡
    return '\ufffd' // C1 controls and bidirectional overrides
  })
}

// C0 (with \t and \n, handled above), DEL, C1, and the bidi embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
