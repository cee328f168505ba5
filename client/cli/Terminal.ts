/**
 * The terminal client's input and output over `node:readline`: lines in, lines out, a prompt that
 * stays at the bottom on a real terminal, and a question whose answer is not echoed (passwords).
 *
 * Works on any pair of streams: a TTY gets the redrawn prompt, anything else (a pipe, the tests'
 * PassThrough) gets plain lines and no control sequences at all.
 */
import { clearLine, clearScreenDown, createInterface, cursorTo, moveCursor, type Interface } from 'node:readline'
import { Writable } from 'node:stream'

export class Terminal {
  readonly interactive: boolean
  private readonly output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  private readonly rl: Interface
  /** Lines typed before anyone asked for them wait here, so no line is lost between prompts. */
  private readonly queued: string[] = []
  private readonly waiting: Array<(line: string | null) => void> = []
  private muted = false
  private closed = false
  private chatPrompt: string | null = null
  private readonly interruptListeners = new Set<() => void>()
  private readonly keystrokeListeners = new Set<(line: string) => void>()

  constructor(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {
    this.output = output
    this.interactive = Boolean(input.isTTY && output.isTTY)
    this.rl = createInterface({ input, output: this.echo(output), terminal: this.interactive, historySize: 100 })
    this.rl.on('line', (line) => {
      if (this.interactive && this.chatPrompt !== null) this.replacePromptLine(line)
      const waiter = this.waiting.shift()
      if (waiter) waiter(line)
      else this.queued.push(line)
    })
    this.rl.on('close', () => {
      this.closed = true
      for (const waiter of this.waiting.splice(0)) waiter(null)
    })
    // readline's own keypress listener ran first, so `rl.line` is the line as it is now.
    if (this.interactive) {
      input.on('keypress', () => {
        if (this.muted || this.chatPrompt === null || this.closed) return
        for (const listener of this.keystrokeListeners) listener(this.rl.line)
      })
    }
    // Ctrl-C on a TTY arrives here (readline owns the raw keyboard), not as a process signal.
    this.rl.on('SIGINT', () => {
      for (const listener of this.interruptListeners) listener()
    })
  }

  /** The next line typed, or null once the input has ended (Ctrl-D, end of a pipe) or close(). */
  nextLine(): Promise<string | null> {
    const line = this.queued.shift()
    if (line !== undefined) return Promise.resolve(line)
    if (this.closed) return Promise.resolve(null)
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  async ask(question: string): Promise<string | null> {
    this.showPrompt(question)
    return this.nextLine()
  }

  /** Asks without echoing what is typed (readline still edits the line; its echo goes nowhere). */
  async askHidden(question: string): Promise<string | null> {
    this.showPrompt(question)
    this.muted = true
    try {
      return await this.nextLine()
    } finally {
      this.muted = false
      if (this.interactive) this.output.write('\n')
    }
  }

  /** Prints a line above the prompt (on a TTY the half-typed input is redrawn below it). */
  print(line: string): void {
    // After the input ended (a pipe's end, Ctrl-D) output still goes out: a script reads it.
    if (this.closed || !this.interactive || this.chatPrompt === null) {
      this.output.write(`${line}\n`)
      return
    }
    clearLine(this.output, 0)
    cursorTo(this.output, 0)
    this.output.write(`${line}\n`)
    this.rl.prompt(true)
  }

  /** The prompt shown while chatting; only a TTY shows it. */
  /** Clears the screen of a real terminal (/clear); prints nothing on a pipe. */
  clear(): void {
    if (!this.interactive) return
    cursorTo(this.output, 0, 0)
    clearScreenDown(this.output)
    if (this.chatPrompt !== null) this.rl.prompt(true)
  }

  setChatPrompt(prompt: string): void {
    if (prompt === this.chatPrompt || this.closed) return
    this.chatPrompt = prompt
    if (!this.interactive) return
    this.rl.setPrompt(prompt)
    clearLine(this.output, 0)
    cursorTo(this.output, 0)
    this.rl.prompt(true)
  }

  /** Every keystroke at the chat prompt of a real terminal, with the line being typed; returns the unsubscribe. */
  onKeystroke(listener: (line: string) => void): () => void {
    this.keystrokeListeners.add(listener)
    return () => this.keystrokeListeners.delete(listener)
  }

  onInterrupt(listener: () => void): void {
    this.interruptListeners.add(listener)
  }

  close(): void {
    if (this.closed) return
    if (this.interactive && this.chatPrompt !== null) this.output.write('\n')
    this.rl.close()
  }

  /**
   * While chatting, the line just entered is erased and a fresh prompt shown: a message is printed
   * once the server has stored it, and a command prints its answer, so the echo would only repeat them.
   */
  private replacePromptLine(line: string): void {
    const width = this.output.columns || 80
    const rows = Math.max(1, Math.ceil(((this.chatPrompt?.length ?? 0) + line.length) / width))
    moveCursor(this.output, 0, -rows)
    cursorTo(this.output, 0)
    clearScreenDown(this.output)
    this.rl.prompt()
  }

  private showPrompt(question: string): void {
    if (this.interactive) {
      this.rl.setPrompt(question)
      this.rl.prompt()
    } else {
      this.output.write(question)
    }
  }

  /** readline's echo goes through here, so that it can be silenced for a password. */
  private echo(output: NodeJS.WritableStream & { columns?: number }): Writable {
    const echo = new Writable({
      write: (chunk, _encoding, done) => {
        if (!this.muted) output.write(chunk)
        done()
      },
    })
    // readline lays out long lines by the terminal's width, and redraws when it changes.
    Object.defineProperty(echo, 'columns', { get: () => output.columns })
    ;(output as NodeJS.EventEmitter).on?.('resize', () => echo.emit('resize'))
    return echo
  }
}
