//! A request's path under the base URL, checked and percent-encoded as it is built: what
//! goes on the wire is written once, and no input can reach another endpoint.

use std::fmt;

use mollie_models::ValidationError;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What `url` percent-encodes in a path segment of an `http(s)` URL: controls, space,
/// `"`, `#`, `<`, `>`, `?`, `` ` ``, `{`, `}`, `/`, `%` and `\`, so that an id can never
/// change the path. A test holds it to `url`'s own encoding.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    // A path separator in `http(s)` URLs.
    .add(b'\\');

/// Byte classes, looked up once per byte: a path is built for every call.
const WORD: u8 = 1;
const PLAIN: u8 = 2;
const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let word = c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_';
        if word {
            classes[b] |= WORD;
        }
        // Nothing to encode: letters, digits, `-` and `_`, all any Mollie id holds.
        if word || c.is_ascii_uppercase() {
            classes[b] |= PLAIN;
        }
        b += 1;
    }
    classes
};

/// Whether every byte of `text` is of `class`.
fn all_of(text: &str, class: u8) -> bool {
    text.bytes().all(|b| CLASSES[usize::from(b)] & class != 0)
}

/// The most segments a path records which of are ids (Mollie's paths have up to five).
const MAX_SEGMENTS: u32 = u64::BITS;

/// Segments of fixed words and ids, e.g. `/customers/cst_8wmqcHMN4U/mandates`.
///
/// Each segment is checked when added; the builder cannot fail, so the first refusal is kept
/// and [`encoded`](Self::encoded) reports it before anything is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Path {
    /// Every segment with its leading `/`, percent-encoded: no segment holds a bare `/`.
    encoded: String,
    /// Bit `i` is set when segment `i` is an id, shown as `{id}` in templates.
    ids: u64,
    segments: u32,
    refused: Option<&'static str>,
}

impl Path {
    /// Appends a fixed word of an endpoint, e.g. `customers`: lowercase letters, digits,
    /// `-` and `_`, so nothing to encode.
    pub(crate) fn push_word(&mut self, word: &'static str) {
        let plain = all_of(word, WORD);
        if !plain {
            self.refuse(
                "a fixed path segment may hold only lowercase letters, digits, `-` and `_`",
            );
        }
        self.push(word, false, plain);
    }

    /// Appends an id, percent-encoded (a typed id needs none; the encoding is the second
    /// wall behind the type).
    pub(crate) fn push_id(&mut self, id: &str) {
        self.push(id, true, all_of(id, PLAIN));
    }

    /// Appends `segment`, encoded unless it is `plain`. A refused word is encoded too, though
    /// never sent: a `/` in it would shift the template's segments, showing an id.
    fn push(&mut self, segment: &str, id: bool, plain: bool) {
        if segment.is_empty() || segment == "." || segment == ".." {
            self.refuse("a path segment may not be empty, `.` or `..`");
        }
        if self.segments == MAX_SEGMENTS {
            self.refuse("a path may have at most 64 segments");
            return;
        }
        if self.encoded.is_empty() {
            // Room for Mollie's longest paths without growing.
            self.encoded.reserve(64);
        }
        self.encoded.push('/');
        if id {
            self.ids |= 1 << self.segments;
        }
        if plain {
            self.encoded.push_str(segment);
        } else {
            self.encoded
                .extend(utf8_percent_encode(segment, PATH_SEGMENT));
        }
        self.segments += 1;
    }

    fn refuse(&mut self, reason: &'static str) {
        self.refused.get_or_insert(reason);
    }

    /// The path as sent (empty for the base URL itself), or why a segment was refused.
    pub(crate) fn encoded(&self) -> Result<&str, ValidationError> {
        match self.refused {
            Some(reason) => Err(ValidationError::new("path", reason)),
            None => Ok(&self.encoded),
        }
    }

    /// The path with ids as `{id}`, as `Display`: e.g. `/customers/{id}/mandates`.
    pub(crate) fn template(&self) -> impl fmt::Display + '_ {
        Template(self)
    }
}

struct Template<'a>(&'a Path);

impl fmt::Display for Template<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.0;
        if path.encoded.is_empty() {
            return f.write_str("/");
        }
        // Segments are encoded, so `/` only ever separates them.
        for (i, segment) in path.encoded.split('/').skip(1).enumerate() {
            f.write_str("/")?;
            let is_id = u32::try_from(i)
                .ok()
                .and_then(|i| 1u64.checked_shl(i))
                .is_some_and(|bit| path.ids & bit != 0);
            f.write_str(if is_id { "{id}" } else { segment })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(build: impl FnOnce(&mut Path)) -> Path {
        let mut path = Path::default();
        build(&mut path);
        path
    }

    #[test]
    fn words_and_ids_make_the_path_and_its_template() {
        let p = path(|p| {
            p.push_word("customers");
            p.push_id("cst_a-b_C9");
            p.push_word("mandates");
            p.push_id("mdt_x");
        });
        assert_eq!(p.encoded().unwrap(), "/customers/cst_a-b_C9/mandates/mdt_x");
        assert_eq!(p.template().to_string(), "/customers/{id}/mandates/{id}");
        assert_eq!(Path::default().encoded().unwrap(), "");
        assert_eq!(Path::default().template().to_string(), "/");
    }

    #[test]
    fn an_id_with_a_slash_stays_one_segment() {
        let p = path(|p| {
            p.push_id("a/b");
            p.push_word("x");
        });
        assert_eq!(p.encoded().unwrap(), "/a%2Fb/x");
        assert_eq!(p.template().to_string(), "/{id}/x");
    }

    #[test]
    fn segments_are_checked_and_the_first_refusal_is_kept() {
        for bad in ["", ".", "..", "a/b", "Customers", "a?b", "a%2f"] {
            let word: &'static str = Box::leak(bad.to_owned().into_boxed_str());
            let p = path(|p| {
                p.push_word(word);
                p.push_word("customers");
            });
            assert!(p.encoded().is_err(), "{bad:?}");
        }
        for bad in ["", ".", ".."] {
            let p = path(|p| {
                p.push_word("customers");
                p.push_id(bad);
            });
            let error = p.encoded().unwrap_err();
            assert!(
                error.to_string().contains("`.` or `..`"),
                "{bad:?}: {error}"
            );
        }
        let p = path(|p| {
            p.push_id("");
            p.push_word("Customers");
        });
        assert!(p.encoded().unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn a_refused_word_keeps_ids_out_of_the_template() {
        // A word with a `/` written as it is would shift every later segment: the id after
        // it would be shown, and a fixed word hidden.
        let p = path(|p| {
            p.push_word("a/b");
            p.push_id("cst_Secret42");
        });
        assert!(p.encoded().is_err());
        assert_eq!(p.template().to_string(), "/a%2Fb/{id}");
        let p = path(|p| {
            (0..63).for_each(|_| p.push_word("x"));
            p.push_word("a/b");
        });
        assert_eq!(
            p.template().to_string(),
            format!("{}/a%2Fb", "/x".repeat(63))
        );
    }

    #[test]
    fn a_path_longer_than_its_record_is_refused() {
        let p = path(|p| (0..=MAX_SEGMENTS).for_each(|_| p.push_id("x")));
        assert!(p.encoded().unwrap_err().to_string().contains("at most 64"));
        let p = path(|p| (0..MAX_SEGMENTS).for_each(|_| p.push_id("x")));
        assert_eq!(p.template().to_string(), "/{id}".repeat(64));
    }

    #[test]
    fn segments_are_encoded_as_url_itself_would() {
        // Every ASCII character but the dot segments' `.`-only forms, and some beyond ASCII,
        // alone and inside an id-like word.
        let mut samples: Vec<String> = (0x20u8..0x7f).map(|b| char::from(b).to_string()).collect();
        samples.extend(["é", "💶", "a/b", "a%2Fb", "cst_a b", "x?y#z"].map(str::to_owned));
        for sample in samples.iter().filter(|s| *s != ".") {
            let word = format!("cst_{sample}x");
            let mut expected = reqwest::Url::parse("https://api.mollie.com/v2").unwrap();
            expected.path_segments_mut().unwrap().push(&word);
            let ours = path(|p| p.push_id(&word));
            assert_eq!(
                format!("/v2{}", ours.encoded().unwrap()),
                expected.path(),
                "{sample:?} is encoded differently"
            );
        }
    }
}
