// Resolved from node_modules/@cowherd/core/: the types of the project's lib/core.ts.
export * from "../../../lib/core";
