/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // Dynamic imports in CommonJS TypeScript carry a .js extension (node16 resolution); the source is .ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // A passing test prints no error output: unexpected stderr / console.error fails the test that wrote it.
  setupFilesAfterEnv: ['<rootDir>/test/support/error-output.ts'],
  reporters: ['default', '<rootDir>/test/support/closing-line-reporter.js'],
  // Integration tests start real servers; give them room on a 2-core CI machine.
  testTimeout: 120000,
};
