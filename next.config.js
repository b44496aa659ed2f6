/** @type {import('next').NextConfig} */
const nextConfig = {
  // @cowherd/core (dist/core.mjs) is loaded by Node, not bundled: one instance shared with the HTTP front.
  serverExternalPackages: ["better-sqlite3", "@cowherd/core"],
  poweredByHeader: false,
  reactStrictMode: true,
  // The custom server (scripts/server.ts) fronts Next; the build output stays in .next/.
};

module.exports = nextConfig;
