/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["better-sqlite3"],
  poweredByHeader: false,
  reactStrictMode: true,
  // The custom server (scripts/server.ts) fronts Next; the build output stays in .next/.
};

module.exports = nextConfig;
