// The workspaces meet only at their published packages: `npm test` runs this check first
// (`npm run check:deps`), and it fails on any import that breaks one of these rules.
// Workspace packages are resolved through their node_modules links (preserveSymlinks), so an
// import of `@scalable-chat/x` is checked against the importer's own package.json like any package.

/** Code that ships: what a service or the web client runs (its test helpers excepted). */
const SHIPPED = '^(backend-server|session-server|client)/(src|cli)/|^(backend-server/contract|session-server/protocol)/src/'
const TEST_HELPERS = '/src/testing/'
const NESTED_PACKAGES = '^(backend-server/contract|session-server/protocol)/'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'runtime-import-of-dev-dependency',
      comment:
        'Shipped code imports a package its package.json lists only in devDependencies: the production ' +
        'install (the Dockerfiles run npm ci --omit=dev) would not have it. Make it a dependency.',
      severity: 'error',
      from: { path: SHIPPED, pathNot: TEST_HELPERS },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'undeclared-package',
      comment: 'An import of a package the importing workspace does not declare in its package.json.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'unknown'] },
    },
    {
      name: 'reach-into-another-workspace',
      comment:
        "A relative import into another workspace's files: depend on that workspace's package and " +
        'import what it exports (its contract, or a test helper it offers), never its src/ or test/.',
      severity: 'error',
      from: { path: '^(backend-server|session-server|client)/' },
      to: { path: '^(backend-server|session-server|client)/', pathNot: ['^$1/', 'node_modules/'] },
    },
    {
      name: 'reach-into-a-nested-package',
      comment: "A service's files import its contract package by name, not by path (and the other way round).",
      severity: 'error',
      from: { path: '^(backend-server|session-server)/', pathNot: NESTED_PACKAGES },
      to: { path: NESTED_PACKAGES },
    },
    {
      name: 'contract-reaches-into-its-service',
      comment: 'A contract package stands alone: it may not import its service by path.',
      severity: 'error',
      from: { path: NESTED_PACKAGES },
      to: { path: '^(backend-server|session-server)/', pathNot: [NESTED_PACKAGES, 'node_modules/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
}
