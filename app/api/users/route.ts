import { errors, json, readJson, route } from "@cowherd/core";
import { createUserBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const GET = route("admin", async ({ rt }) => json({ users: rt.users.list() }));

export const POST = route("admin", async ({ req, rt, audit }) => {
  const body = await readJson(req, createUserBody);
  if (rt.users.findByName(body.username)) throw errors.conflict("user_exists", `User ${body.username} already exists`);
  const user = await rt.users.create(body.username, body.password, body.role);
  audit("user.create", "ok", user.username, `role ${user.role}`);
  return json({ user }, 201);
});
