/** Tests run through swc (transpile only); `npm run typecheck` does the type checking. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: [
    "<rootDir>/components",
    "<rootDir>/functions",
    "<rootDir>/stacks",
    "<rootDir>/infra",
    "<rootDir>/test",
    "<rootDir>/scripts",
    "<rootDir>/functions",
  ],
  testMatch: ["**/*.test.ts"],
  // Suites that start a real PostgreSQL server run in `npm run test:postgres` (it needs the Debian package).
  testPathIgnorePatterns: process.env.MEDALLION_POSTGRES
    ? ["/node_modules/"]
    : ["/node_modules/", "\\.postgres\\.test\\.ts$"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } },
    ],
  },
  moduleNameMapper: {
    "^medallion-lakehouse$": "<rootDir>/components/index.ts",
    "^medallion-lakehouse/(aws|azure|spec|testing)$": "<rootDir>/components/$1/index.ts",
  },
  testTimeout: 60000,
};
