import Link from "next/link";

/** A PC's name that looks like what it is: a link to the PC's page. */
export function PcLink({ id, name }: { id: number; name: string }) {
  return (
    <Link href={`/machines/${id}`} className="text-sky-700 underline decoration-sky-300 underline-offset-2 hover:decoration-sky-700">
      {name}
    </Link>
  );
}
