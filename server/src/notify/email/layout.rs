//! An e-mail's body as a few kinds of block, written out twice: as plain text and as HTML.
//!
//! Both parts of a multipart/alternative message must say the same thing, since the reader's
//! program picks one. Composing the content once and rendering it twice keeps them from drifting
//! apart, and the HTML goes through maud, which escapes every text, so that what a donor typed
//! can never become markup.

use maud::{html, Markup, DOCTYPE};

pub enum Block {
    Heading(String),
    Paragraph(String),
    /// Words quoted exactly as someone agreed to them, one paragraph each.
    Quote(Vec<String>),
    /// Labelled values, such as the reference and the amount.
    Facts(Vec<(String, String)>),
    Link {
        text: String,
        href: String,
    },
}

pub struct Letter {
    /// The BCP 47 language of the text, for the HTML's `lang`.
    pub lang: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Letter {
    pub fn text(&self) -> String {
        let rendered: Vec<String> = self
            .blocks
            .iter()
            .map(|block| match block {
                Block::Heading(heading) => format!("{heading}\n{}", "-".repeat(heading.chars().count())),
                Block::Paragraph(paragraph) => paragraph.clone(),
                Block::Quote(paragraphs) => {
                    paragraphs.iter().map(|paragraph| format!("> {paragraph}")).collect::<Vec<_>>().join("\n>\n")
                }
                Block::Facts(facts) => {
                    facts.iter().map(|(label, value)| format!("{label}: {value}")).collect::<Vec<_>>().join("\n")
                }
                Block::Link { text, href } => format!("{text}:\n{href}"),
            })
            .collect();
        let mut text = rendered.join("\n\n");
        text.push('\n');
        text
    }

    pub fn html(&self) -> String {
        let page = html! {
            (DOCTYPE)
            html lang=(self.lang) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) }
                }
                body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40em;" {
                    @for block in &self.blocks {
                        (block_html(block))
                    }
                }
            }
        };
        page.into_string()
    }
}

fn block_html(block: &Block) -> Markup {
    html! {
        @match block {
            Block::Heading(heading) => h2 style="font-size: 1.2em;" { (heading) },
            Block::Paragraph(paragraph) => p { (paragraph) },
            Block::Quote(paragraphs) => blockquote style="border-left: 3px solid #999; margin-left: 0; padding-left: 1em;" {
                @for paragraph in paragraphs {
                    p { (paragraph) }
                }
            },
            Block::Facts(facts) => table role="presentation" {
                @for (label, value) in facts {
                    tr {
                        th scope="row" style="text-align: left; padding-right: 1em; vertical-align: top;" { (label) }
                        td { (value) }
                    }
                }
            },
            Block::Link { text, href } => p { a href=(href) { (text) } },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            lang: "en",
            title: "A <title>".to_owned(),
            blocks: vec![
                Block::Heading("Heading".to_owned()),
                Block::Paragraph("Tom & \"Jerry\" <b>".to_owned()),
                Block::Quote(vec!["First".to_owned(), "Second".to_owned()]),
                Block::Facts(vec![("Reference".to_owned(), "SK-7Q2M-X9D4".to_owned())]),
                Block::Link { text: "Open".to_owned(), href: "https://example.org/?a=1&b=\"2\"".to_owned() },
            ],
        }
    }

    #[test]
    fn text_lays_the_blocks_out_plainly() {
        assert_eq!(
            letter().text(),
            "Heading\n-------\n\nTom & \"Jerry\" <b>\n\n> First\n>\n> Second\n\nReference: SK-7Q2M-X9D4\n\n\
             Open:\nhttps://example.org/?a=1&b=\"2\"\n"
        );
    }

    #[test]
    fn html_escapes_every_text_and_attribute() {
        let html = letter().html();
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{html}");
        assert!(html.contains("<title>A &lt;title&gt;</title>"), "{html}");
        assert!(html.contains("<p>Tom &amp; &quot;Jerry&quot; &lt;b&gt;</p>"), "{html}");
        assert!(html.contains("href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\""), "{html}");
        assert!(html.contains("<th scope=\"row\""), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }
}
