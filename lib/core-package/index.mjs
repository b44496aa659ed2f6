// Resolved from node_modules/@cowherd/core/: the project's dist/core.mjs (run `npm run build`).
export * from "../../../dist/core.mjs";
