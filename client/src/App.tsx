/**
 * The routes, in react-router's declarative mode (`<Routes>` under `<BrowserRouter>`): the data
 * router (loaders, actions, `createBrowserRouter`) is unused here and cost 16 kB gzip of the
 * first load. Every screen and the signed-in shell load lazily (route-level code splitting), so
 * the first load carries only React, the router and the error pages; see scripts/checkBundle.mjs.
 */
import { lazy, Suspense } from 'react'
import { Route, Routes, useLocation } from 'react-router'
import { NotFoundPage } from './components/NotFoundPage.js'
import { RouteErrorBoundary } from './components/RouteErrorBoundary.js'

const AuthScreen = lazy(() => import('./auth/AuthScreen.js').then((m) => ({ default: m.AuthScreen })))
// The signed-in frame is lazy too: even the session store stays out of the first load.
const AppShell = lazy(() => import('./components/AppShell.js').then((m) => ({ default: m.AppShell })))
const LobbyPage = lazy(() => import('./lobby/LobbyPage.js').then((m) => ({ default: m.LobbyPage })))
const RoomPage = lazy(() => import('./room/RoomPage.js').then((m) => ({ default: m.RoomPage })))

export function App() {
  const { pathname } = useLocation()
  return (
    // The boundary forgets an error when the user navigates elsewhere.
    <RouteErrorBoundary resetKey={pathname}>
      {/* Shown for the instant the first screen's code is loading. */}
      <Suspense fallback={<div aria-busy="true" />}>
        <Routes>
          <Route path="/signin" element={<AuthScreen />} />
          <Route element={<AppShell />}>
            <Route index element={<LobbyPage />} />
            <Route path="rooms/:roomId" element={<RoomPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </RouteErrorBoundary>
  )
}
