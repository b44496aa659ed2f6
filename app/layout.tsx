import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = { title: "Cowherd", description: "Diskless PCs on copy-on-write snapshots" };
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-100 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
