import { accessSync, constants } from "node:fs";

export interface ChromiumBinary {
  executablePath: string;
  args: string[];
  /** Where it came from, for failure messages. */
  source: string;
}

const DEBIAN = "/usr/bin/chromium";
const COMMON_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * A Chromium for browser tests without a system install: CHROMIUM_PATH when set (it must work), else Debian's
 * chromium when present, else the headless Chromium the @sparticuz/chromium dev dependency ships (unpacked into
 * the temp directory on first use). So `npm ci && npm test` needs no apt-get.
 */
export async function findChromium(): Promise<ChromiumBinary> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!executable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file`);
    return { executablePath: configured, args: COMMON_ARGS, source: "CHROMIUM_PATH" };
  }
  if (executable(DEBIAN)) return { executablePath: DEBIAN, args: COMMON_ARGS, source: DEBIAN };
  const { default: packaged } = await import("@sparticuz/chromium");
  // It is chrome-headless-shell built for sandbox-less hosts: no zygote, like the package's own flags.
  return { executablePath: await packaged.executablePath(), args: [...COMMON_ARGS, "--no-zygote"], source: "@sparticuz/chromium" };
}
