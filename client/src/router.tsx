/**
 * The routes. Screens load lazily (route-level code splitting), so the first load carries only
 * React, the router and the error pages; see scripts/checkBundle.mjs for the budget.
 */
import { createBrowserRouter } from 'react-router'
import { NotFoundPage } from './components/NotFoundPage.js'
import { RouteError } from './components/RouteError.js'

export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    // Shown for the instant the first screen's code is loading.
    hydrateFallbackElement: <div aria-busy="true" />,
    children: [
      {
        path: '/signin',
        lazy: () => import('./auth/AuthScreen.js').then((m) => ({ Component: m.AuthScreen })),
      },
      {
        // The signed-in frame is lazy too: even the session store stays out of the first load.
        lazy: () => import('./components/AppShell.js').then((m) => ({ Component: m.AppShell })),
        children: [
          { index: true, lazy: () => import('./lobby/LobbyPage.js').then((m) => ({ Component: m.LobbyPage })) },
          {
            path: 'rooms/:roomId',
            lazy: () => import('./room/RoomPage.js').then((m) => ({ Component: m.RoomPage })),
          },
        ],
      },
      { path: '*', Component: NotFoundPage },
    ],
  },
])
