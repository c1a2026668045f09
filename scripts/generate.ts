// Regenerates every generated artefact: Prisma clients (one per service), typed resolvers (graphql-codegen) and each
// service's domain copy of the platform's roles.
import { execFileSync } from "node:child_process";
import { writeDomainRoles } from "./domain-roles.js";
import { PRISMA_SERVICES, prismaCliEnv } from "./prisma-env.js";

writeDomainRoles();

const run = (args: string[]) => execFileSync(process.execPath, args, { stdio: "inherit", env: prismaCliEnv() });

for (const service of PRISMA_SERVICES) {
  run(["node_modules/prisma/build/index.js", "generate", "--schema", `prisma/${service}/schema.prisma`]);
}
run(["node_modules/@graphql-codegen/cli/cjs/bin.js", "--config", "codegen.ts", "--silent"]);
