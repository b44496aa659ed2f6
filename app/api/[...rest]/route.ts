import { errors, route } from "@cowherd/core";

export const dynamic = "force-dynamic";

const notFound = route("user", async ({ req }) => {
  throw errors.notFound(`No API route ${req.nextUrl.pathname}`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
