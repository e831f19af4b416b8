//! The HTML report: the Markdown report rendered by pulldown-cmark (tables included), with each
//! figure's SVG inline (so the file is self-contained) in place of its image link.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A self-contained HTML page from the report's Markdown; `figures` are (file, SVG) for the
/// `figures/<file>` image links.
pub(super) fn to_html(title: &str, markdown: &str, figures: &[(String, String)]) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, Options::ENABLE_TABLES).collect();
    let mut out_events: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        // A paragraph holding only a figure's image becomes a <figure> with the SVG inline.
        if let (Some(Event::Start(Tag::Paragraph)), Some(Event::Start(Tag::Image { dest_url, .. }))) =
            (events.get(i), events.get(i + 1))
            && let Some(svg) = dest_url
                .strip_prefix("figures/")
                .and_then(|f| figures.iter().find(|(name, _)| name == f))
                .map(|(_, svg)| svg)
        {
            let mut caption = String::new();
            let mut j = i + 2;
            while let Some(e) = events.get(j) {
                match e {
                    Event::End(TagEnd::Image) => break,
                    Event::Text(t) | Event::Code(t) => caption.push_str(t),
                    _ => {}
                }
                j += 1;
            }
            if let Some(Event::End(TagEnd::Paragraph)) = events.get(j + 1) {
                let svg = svg.find("<svg").map_or(svg.as_str(), |k| &svg[k..]);
                out_events.push(Event::Html(
                    format!(
                        "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
                        html_escape::encode_text(&caption)
                    )
                    .into(),
                ));
                i = j + 2;
                continue;
            }
        }
        out_events.push(events[i].clone());
        i += 1;
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, out_events.into_iter());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}}\ntable{{border-collapse:collapse;margin:1rem 0;font-size:.9rem}}\nth,td{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}\nth{{background:#f3f3f3}}\nfigure{{margin:1rem 0}}\nfigcaption{{font-size:.85rem;color:#555}}\ncode{{background:#f5f5f5;padding:0 .2rem}}\n</style></head><body>\n{body}</body></html>\n",
        html_escape::encode_text(title)
    )
}
