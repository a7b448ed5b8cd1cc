// A small JSON client for the tests: the API as a script would call it.

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async get<T = any>(path: string, token: string, query: Record<string, string | null | undefined> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) search.set(k, v);
    const url = `${this.baseUrl}${path}${search.size > 0 ? `?${search.toString()}` : ''}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${path} → ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async post<T = any>(path: string, token: string, body: unknown): Promise<JsonResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** POST that must succeed (2xx); the error names the route and the problem body. */
  async command<T = any>(path: string, token: string, body: unknown): Promise<T> {
    const answer = await this.post<T>(path, token, body);
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`POST ${path} ${JSON.stringify(body)} → ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }
}
