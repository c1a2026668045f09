// Regenerates every generated artefact: Prisma clients (one per service) and typed resolvers (graphql-codegen).
import { execFileSync } from "node:child_process";
import { PRISMA_SERVICES, prismaCliEnv } from "./prisma-env.js";

const run = (args: string[]) => execFileSync(process.execPath, args, { stdio: "inherit", env: prismaCliEnv() });

for (const service of PRISMA_SERVICES) {
  run(["node_modules/prisma/build/index.js", "generate", "--schema", `prisma/${service}/schema.prisma`]);
}
run(["node_modules/@graphql-codegen/cli/cjs/bin.js", "--config", "codegen.ts", "--silent"]);
