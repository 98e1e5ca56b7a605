"use client";

import ReactMarkdown, { defaultUrlTransform } from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";

/**
 * Renders untrusted Markdown (proposal descriptions; GitHub flavour, so the keeper's
 * record tables show as tables) inert: raw HTML is not parsed,
 * the tree is sanitised with GitHub's schema (rehype-sanitize), and URLs other than
 * http(s), mailto and relative ones are dropped (react-markdown's url transform).
 */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown table-scroll">
      <ReactMarkdown
        skipHtml
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeSanitize]}
        urlTransform={defaultUrlTransform}
        components={{
          a: ({ node: _node, ...props }) => <a {...props} rel="noopener noreferrer nofollow" target="_blank" />,
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
