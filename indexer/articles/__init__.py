"""Articles: loading them (HTML, Markdown, text), linking paragraphs and quotes to video moments, exports."""
