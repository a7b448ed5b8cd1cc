// GET /openapi.json, GET /docs (Swagger UI over that document) and the page's files under
// /docs/<file>: public, generated once at start from the route specs.
import { Controller, Get, Header, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { type DocsAsset, docsSecurityHeaders, loadDocsAssets } from './docs-assets.js';
import { renderDocsHtml } from './openapi.js';

export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');

/** The few methods of Fastify's reply this controller uses. */
interface AssetResponse {
  code(status: number): AssetResponse;
  headers(values: Record<string, string>): AssetResponse;
  type(contentType: string): AssetResponse;
  send(body: Buffer | string): AssetResponse;
}

@Controller()
export class OpenApiController {
  private readonly html: string;
  private readonly assets: ReadonlyMap<string, DocsAsset> = loadDocsAssets();

  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>) {
    this.html = renderDocsHtml(document);
  }

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  openApi(): Record<string, unknown> {
    return this.document;
  }

  @Get('docs')
  docs(@Res() response: AssetResponse): void {
    response.code(200).headers({ ...docsSecurityHeaders, 'Cache-Control': 'no-cache' }).type('text/html; charset=utf-8').send(this.html);
  }

  @Get('docs/:file')
  file(@Param('file') file: string, @Res() response: AssetResponse): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException(`the docs page has no file "${file}"`);
    response.code(200).headers({ ...docsSecurityHeaders, 'Cache-Control': 'public, max-age=3600' }).type(asset.contentType).send(asset.body);
  }
}
