// Unit tests of the front-end models (no browser): `jlpm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/__tests__/**/*.spec.ts'],
    testTimeout: 10000
  }
});
