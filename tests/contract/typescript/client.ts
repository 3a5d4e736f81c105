// A small reader of the Byline API, typed only through the types that openapi-typescript
// generates from the committed document: when the document changes a shape a frontend
// relies on, this file stops compiling.
import type { paths } from "./generated/api";

type Article =
  paths["/v1/articles/{slug}"]["get"]["responses"][200]["content"]["application/json"];
type ArticlePage = paths["/v1/articles"]["get"]["responses"][200]["content"]["application/json"];
type ArticleQuery = NonNullable<paths["/v1/articles"]["get"]["parameters"]["query"]>;
type PopularPage = paths["/v1/popular"]["get"]["responses"][200]["content"]["application/json"];
type PopularQuery = NonNullable<paths["/v1/popular"]["get"]["parameters"]["query"]>;
type ViewBeacon = NonNullable<
  paths["/v1/articles/{slug}/views"]["post"]["requestBody"]
>["content"]["application/json"];
type Problem =
  paths["/v1/articles/{slug}"]["get"]["responses"][404]["content"]["application/problem+json"];

export class BylineError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

async function problemOf(response: Response): Promise<BylineError> {
  return new BylineError((await response.json()) as Problem);
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) {
    throw await problemOf(response);
  }
  return (await response.json()) as T;
}

function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) {
      search.set(name, String(value));
    }
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

export class BylineClient {
  constructor(private readonly baseUrl: string) {}

  async article(slug: string): Promise<Article> {
    return json<Article>(await fetch(`${this.baseUrl}/v1/articles/${encodeURIComponent(slug)}`));
  }

  async articles(query: ArticleQuery = {}): Promise<ArticlePage> {
    return json<ArticlePage>(await fetch(`${this.baseUrl}/v1/articles${queryString(query)}`));
  }

  async popular(query: PopularQuery = {}): Promise<PopularPage> {
    return json<PopularPage>(await fetch(`${this.baseUrl}/v1/popular${queryString(query)}`));
  }

  async recordView(slug: string, beacon: ViewBeacon = {}): Promise<void> {
    const response = await fetch(
      `${this.baseUrl}/v1/articles/${encodeURIComponent(slug)}/views`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(beacon),
      },
    );
    if (response.status !== 202) {
      throw await problemOf(response);
    }
  }
}

// What a front page does with the answers: the fields it reads must keep their names and types.
export async function frontPage(client: BylineClient, visitorId: string): Promise<string[]> {
  const latest = await client.articles({ type: "news", limit: 5 });
  const lines = latest.items.map((item) => `${item.headline} (${item.published_at})`);
  if (latest.next_cursor !== null) {
    const older = await client.articles({ limit: 5, cursor: latest.next_cursor });
    lines.push(...older.items.map((item) => item.slug));
  }

  const popular = await client.popular({ window: "24h", limit: 3 });
  lines.push(`Most read since ${popular.since}:`);
  lines.push(...popular.items.map((item) => `${item.headline}: ${item.views} views`));

  const first = latest.items[0];
  if (first !== undefined) {
    const article = await client.article(first.slug);
    const bylines = article.authors.map((author) => author.name).join(", ");
    lines.push(`${article.headline} by ${bylines}, ${article.body.length} blocks`);
    await client.recordView(article.slug, { visitor_id: visitorId });
  }
  return lines;
}
