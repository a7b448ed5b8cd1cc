// Serves the report page: the HTML shell at `/` and its modules, stylesheet and images under
// `/web/<file>`. The files are public; every figure the page shows comes from token-guarded routes.
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { assetNamePattern, loadWebAssets, locateWebDir, pageSecurityHeaders, type WebAsset } from './web-assets.js';

/** The few methods of Fastify's reply this controller uses. */
interface PageResponse {
  code(status: number): PageResponse;
  headers(values: Record<string, string>): PageResponse;
  type(contentType: string): PageResponse;
  send(body: Buffer): PageResponse;
}

@Controller()
export class WebController {
  private readonly assets: ReadonlyMap<string, WebAsset> = loadWebAssets(locateWebDir());

  @Get()
  index(@Res() response: PageResponse): void {
    this.send(response, 'index.html');
  }

  @Get('web/:file')
  file(@Param('file') file: string, @Res() response: PageResponse): void {
    if (!assetNamePattern.test(file) || file === 'index.html' || !this.assets.has(file)) {
      throw new NotFoundException(`the report page has no file "${file}"`);
    }
    this.send(response, file);
  }

  private send(response: PageResponse, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`the report page has no file "${name}"`);
    response.code(200).headers(pageSecurityHeaders).type(asset.contentType).send(asset.body);
  }
}
