import { errors, isLoopback, renderMetrics, route } from "@cowherd/core";

export const dynamic = "force-dynamic";

export const GET = route("none", async ({ rt, principal, peer }) => {
  const allow = rt.config.metrics.allowFrom;
  if (allow === "login" || (allow === "loopback" && !isLoopback(peer))) {
    if (!principal) throw errors.unauthorized("Metrics need a login from this address");
  }
  const body = renderMetrics(await rt.machinesView(), rt.history.countsByResult(), rt.room.reads);
  return new Response(body, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
});
