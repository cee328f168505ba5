import { Component, type ErrorInfo, type ReactNode } from 'react'
import { RouteError } from './RouteError.js'

interface Props {
  children: ReactNode
  /** When it changes (the user navigated away), the boundary forgets the error and renders again. */
  resetKey: string
}

/**
 * Catches a screen that fails to render or whose lazy code fails to load (the declarative router
 * has no `errorElement`; React's only way to catch a render error is a class component).
 */
export class RouteErrorBoundary extends Component<Props, { error: unknown; resetKey: string }> {
  override state = { error: null as unknown, resetKey: this.props.resetKey }

  static getDerivedStateFromError(error: unknown) {
    return { error }
  }

  static getDerivedStateFromProps(props: Props, state: { error: unknown; resetKey: string }) {
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(error, info.componentStack)
  }

  override render() {
    return this.state.error === null ? this.props.children : <RouteError error={this.state.error} />
  }
}
