import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "coverage/**",
      "scratch/**",
      ".preview/**",
      ".venv-spark/**",
      ".spark-cache/**",
      "jest.config.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // jest.isolateModules needs require() to load a module fresh (cold-start tests).
    files: ["**/*.test.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
