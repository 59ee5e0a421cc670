/** What stands for a query parameter's value in a log line. */
export const QUERY_VALUE_PLACEHOLDER = '…';

/**
 * A request URL as log lines carry it: the path and the names of the query parameters, each value
 * replaced (`/bulk-jobs?operation=…&webhook_url=…`). Values are webhook URLs, cursors, customer ids
 * and filters, which do not belong in logs that more people read than the data; the names still say
 * what kind of request it was. A name without `=` stays as it is.
 */
export function loggableUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const params = url
    .slice(start + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      return eq < 0 ? param : `${param.slice(0, eq)}=${QUERY_VALUE_PLACEHOLDER}`;
    });
  return `${url.slice(0, start)}?${params.join('&')}`;
}
