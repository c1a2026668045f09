import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/generated/", ".data/", "coverage/", "dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // A domain file imports nothing from the outside world.
    files: ["subgraphs/*/src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["node:*", "@prisma/*", "pg", "ioredis", "express", "graphql", "@apollo/*", "../repository/*", "../service/*", "../graphql/*", "../generated/*", "@fixup/*"] }],
    },
  },
  {
    // Resolvers and REST handlers never touch Prisma.
    files: ["subgraphs/*/src/graphql/**/*.ts", "subgraphs/*/src/rest/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["@prisma/*", "../generated/prisma/*", "../repository/*"] }],
    },
  },
);
