// GET /openapi.json and GET /docs: public, generated once at start from the route specs.
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { renderDocsHtml } from './openapi.js';

export const OPENAPI_DOCUMENT = Symbol('OpenApiDocument');

@Controller()
export class OpenApiController {
  private readonly html: string;

  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>) {
    this.html = renderDocsHtml(document);
  }

  @Get('openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  openApi(): Record<string, unknown> {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
  @Header('X-Content-Type-Options', 'nosniff')
  docs(): string {
    return this.html;
  }
}
