/**
 * @cowherd/core: Cowherd's server side as ONE module graph. Node loads it once (dist/core.mjs): the
 * HTTP front imports it, and Next loads it as an external package (serverExternalPackages), so the
 * front and every route share one runtime, one instance of each class (instanceof works across
 * them) and one of every module-level singleton.
 *
 * Rule (checked by tests/unit/module-graph.test.ts): code that Next bundles (app/, components/,
 * lib/next/) takes runtime values from here only; from the rest of lib/ it may import types and the
 * stateless modules in lib/validations/ and lib/client/.
 */
export { runtime, createRuntime, setRuntime, type Runtime } from "./runtime";
export { firstPaint } from "./status/machines-view";
export { AppError, errors } from "./api/errors";
export { readForm, MAX_BODY } from "./api/body";
export { requestResets } from "./reset/requests";
export { selectPcs, selectionWords } from "./reset/pc-selection";
export { route, json, readJson, readOptionalJson, parseWith, parseQuery, PEER_HEADER, type Ctx, type Principal } from "./api/route";
export { login, sessionCookie, deviceCookie, clearedSessionCookie } from "./auth/login";
export { DEVICE_COOKIE } from "./auth/known-logins";
export { SESSION_COOKIE } from "./auth/sessions";
export { machineOnline } from "./reset/requests";
export { keepPc, machineKept } from "./reset/keep";
export { isLoopback } from "./net/client-address";
export { renderMetrics } from "./metrics/prometheus";
export { createHttpServer } from "./server/http-server";
export { listenAndStart } from "./server/listen";
export { ConfigError } from "./config/load";
export { machineChart, roomChart } from "./usage/charts";
export { refuseUpdateWhileUp } from "./images/image-service";
export { scheduleView } from "./schedule/view";
