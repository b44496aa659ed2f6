"use client";

import { usePathname } from "next/navigation";
import { NoSuchPc, pcIdOf } from "./no-such-pc";
import { WayBack } from "./way-back";

/**
 * What the 404 says. A page that finds no such thing before it starts streaming answers with the
 * root 404 (its own not-found is only used when it is reached by client navigation), so the root one
 * says what was not found for the addresses it knows: a PC's page names the PC id.
 */
export function NotFoundText() {
  const id = pcIdOf(usePathname());
  if (id !== null) return <NoSuchPc id={id} />;
  return (
    <>
      <h1 className="text-xl font-semibold">There is no page here</h1>
      <p className="text-sm text-slate-600">The address may be mistyped, or the page may have moved. The PCs are on the dashboard.</p>
      <WayBack primary />
    </>
  );
}
