// Swagger UI (/docs on the hub, and on an agent with --ui) dressed as Vigil.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';

/**
 * /docs as Vigil's, not Fastify's: our icon as the logo (a link to /: the fleet on the hub, the
 * chart page on an agent) and the tab's icon, and each operation's schema shown as its model
 * (field names, types and descriptions) rather than Swagger UI's generated "Example Value"
 * ("string", 0), which reads as junk.
 */
export function docsBranding(title: string, rendererDir: string): Pick<FastifySwaggerUiOptions, 'logo' | 'theme' | 'uiConfig'> {
  const uiConfig = { defaultModelRendering: 'model', defaultModelsExpandDepth: 0, docExpansion: 'list' } as const;
  let icon: Buffer;
  try {
    icon = fs.readFileSync(path.join(rendererDir, 'favicon.svg'));
  } catch {
    return { uiConfig, theme: { title } };
  }
  return {
    uiConfig,
    logo: { type: 'image/svg+xml', content: icon, href: '/', target: '_self' },
    theme: { title, favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: icon }] },
  };
}
