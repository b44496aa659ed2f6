/** The one error type routes map to `{ "error": { "code", "message" } }`. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const errors = {
  badRequest: (message: string, details?: unknown) => new AppError("bad_request", 400, message, details),
  unauthorized: (message = "Log in first") => new AppError("unauthorized", 401, message),
  forbidden: (message = "Not allowed") => new AppError("forbidden", 403, message),
  notFound: (message: string) => new AppError("not_found", 404, message),
  conflict: (code: string, message: string) => new AppError(code, 409, message),
};
