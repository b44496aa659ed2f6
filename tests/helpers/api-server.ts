import type { Server } from "node:http";
import { createHttpServer, type FrontLimits } from "@/lib/server/http-server";
import * as login from "@/app/api/auth/login/route";
import * as logout from "@/app/api/auth/logout/route";
import * as machines from "@/app/api/machines/route";
import * as machineReset from "@/app/api/machines/[id]/reset/route";
import * as machineKeep from "@/app/api/machines/[id]/keep/route";
import * as resets from "@/app/api/resets/route";
import * as job from "@/app/api/jobs/[id]/route";
import * as users from "@/app/api/users/route";
import * as user from "@/app/api/users/[id]/route";
import * as tokens from "@/app/api/tokens/route";
import * as audit from "@/app/api/audit/route";
import * as history from "@/app/api/history/route";
import * as schedule from "@/app/api/schedule/route";
import * as unknown from "@/app/api/[...rest]/route";
import * as images from "@/app/api/images/route";
import * as imageUpdate from "@/app/api/images/update/route";
import * as imagePublish from "@/app/api/images/publish/route";
import * as imageDiscard from "@/app/api/images/discard/route";
import * as imageCurrent from "@/app/api/images/current/route";
import * as imageVersion from "@/app/api/images/versions/[n]/route";
import * as wake from "@/app/api/wake/route";
import * as wakeJob from "@/app/api/wake/[id]/route";
import { listen } from "./http";
import { nextLike, type RouteTable } from "./next-adapter";
import { testRuntime } from "./runtime";

const ROUTES = [
  ["/api/auth/login", login],
  ["/api/auth/logout", logout],
  ["/api/machines", machines],
  ["/api/machines/[id]/reset", machineReset],
  ["/api/machines/[id]/keep", machineKeep],
  ["/api/resets", resets],
  ["/api/jobs/[id]", job],
  ["/api/users", users],
  ["/api/users/[id]", user],
  ["/api/tokens", tokens],
  ["/api/audit", audit],
  ["/api/history", history],
  ["/api/schedule", schedule],
  ["/api/images", images],
  ["/api/images/update", imageUpdate],
  ["/api/images/publish", imagePublish],
  ["/api/images/discard", imageDiscard],
  ["/api/images/current", imageCurrent],
  ["/api/images/versions/[n]", imageVersion],
  ["/api/wake", wake],
  ["/api/wake/[id]", wakeJob],
  ["/api/[rest]", unknown],
] as unknown as RouteTable;

/** A test runtime behind the real HTTP front on loopback, with the real route handlers behind it. */
export async function apiServer(env: Record<string, string> = {}, limits?: Partial<FrontLimits>) {
  const ctx = await testRuntime(env);
  const server: Server = createHttpServer(ctx.rt, nextLike(ROUTES), false, limits);
  const port = await listen(server);
  return {
    ...ctx,
    server,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      ctx.cleanup();
    },
  };
}
