import { WayBack } from "./way-back";

/** A PC address with no such PC (removed from the room, or mistyped): say so, and offer a way back. */
export function NoSuchPc({ id }: { id: string }) {
  return (
    <>
      <h1 className="text-xl font-semibold">No PC with id {id}</h1>
      <p className="text-sm text-slate-600">
        The room has no such PC: it may have been removed from the configuration, or the address is mistyped. The room&apos;s PCs are on the dashboard.
      </p>
      <WayBack primary />
    </>
  );
}

/** The PC id of a /machines/{id} address, decoded; null for any other address. */
export function pcIdOf(pathname: string | null): string | null {
  const m = /^\/machines\/([^/]+)\/?$/.exec(pathname ?? "");
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1]!;
  }
}
