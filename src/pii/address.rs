//! Street addresses: the detector table finds the street part (house number and street in the
//! English, French, Southern-European and German orders, or a PO box); [`extend`] then takes
//! what is attached to it (a unit, then a locality: city, state or region, postcode), so that
//! the whole address is one span, across a line break too.

use std::sync::LazyLock;

use regex::Regex;

/// Street suffixes of the number-first (English) order.
pub const SUFFIXES: &str = "Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|Terrace|Terr|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Close|Crescent|Cres|Row|Trail|Trl|Mews|Gardens|Gdns|Grove|Walk|Rise|Parade|Loop|Pike|Alley|Plaza|Esplanade|Heights|Quay|Wharf|Causeway|Expressway|Freeway|Crossing|Gate|Drove|Chase";

/// The street part, number first: `1428 Elm Street`, `269A Chestnut Dr`, `2989 17 Ave SW`,
/// `Flat 11, 54 Rosebery Terrace`.
pub fn english() -> String {
    format!(
        r"(?:(?:Flat|Apt\.?|Apartment|Unit)[ \t]+\d{{1,4}}[A-Za-z]?,[ \t]*)?(?-u:\b)(?:\d{{1,5}}-)?\d{{1,6}}[A-Za-z]?(?:/[A-Za-z0-9]{{1,3}})?(?:[ \t]+(?:bis|ter))?,?[ \t]+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ \t]+)?(?:(?:\p{{Lu}}[\p{{L}}'’\-]*\.?|\d{{1,3}}(?:st|nd|rd|th)?)[ \t]+){{1,4}}(?:{SUFFIXES})(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)(?-u:\b))?(?-u:\b)"
    )
}

/// Street names that need no suffix: `1500 Broadway`.
pub const NAMED: &str = r"(?-u:\b)\d{1,6}[A-Za-z]?[ \t]+(?:Broadway|The[ \t]+Strand|Strand|Piccadilly|Bowery|Embarcadero)(?-u:\b)";

/// French order: `12 rue de la Paix`, `112 bis rue de la Paix`, `65, boulevard de la Liberté`.
pub const FRENCH: &str = r"(?-u:\b)\d{1,4}(?:[ \t]*(?:bis|ter))?,?[ \t]+(?i:rue|avenue|av\.|boulevard|bd|impasse|quai|place|allée|chemin|route|cours|square|passage|promenade|faubourg)[ \t]+(?:(?:de|du|des|d'|d’|la|le|les|l'|l’)[ \t]*)*\p{Lu}[\p{L}'’\-]*(?:[ \t]+(?:(?:de|du|des|la|le|les|et|d'|d’)[ \t]+)*\p{Lu}[\p{L}'’\-]*){0,3}";

/// Name first, number after (Italian, Spanish, Catalan, Portuguese, German, Dutch):
/// `Via delle Rose 48`, `Calle Mayor 23`, `Rua de Santa Catarina 216`, `Am Markt 80`.
pub const NAME_FIRST: &str = r"(?:(?-u:\b)C/[ \t]*|(?-u:\b)(?:Via|Viale|Corso|Piazza|Piazzale|Vicolo|Largo|Calle|Carrer|Avenida|Avinguda|Avda\.?|Paseo|Passeig|Plaza|Plaça|Camino|Carretera|Ronda|Rua|Travessa|Praça|Alameda|Estrada|Avenue|Am|An[ \t]+der|Auf[ \t]+der|Im|Zum|Zur)[ \t]+)(?:(?:de|del|della|delle|dei|degli|di|da|do|dos|das|la|las|los|el|les|der|die|dem|den)[ \t]+)*\p{Lu}[\p{L}'’\-]*(?:[ \t]+(?:(?:de|del|della|delle|di|da|do|dos|das|la|les|i)[ \t]+)*\p{Lu}[\p{L}'’\-]*){0,3},?[ \t]+\d{1,4}[a-zA-Z]?(?:/[A-Za-z0-9]{1,3})?(?-u:\b)";

/// German and Dutch street words: `Schillerstraße 105`, `Berliner Str. 12`, `Karl-Marx-Allee 5`,
/// `Prinsengracht 263`.
pub const GERMANIC: &str = r"(?-u:\b)\p{Lu}[\p{L}\-]*(?:(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad|markt|straat|laan|gracht|plein|kade|singel|dijk)|[ \t]+(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer))[ \t]+\d{1,4}[a-zA-Z]?(?-u:\b)";

/// Post-office boxes: `PO Box 2547`, `P.O. Box 12`, `Postfach 10 20 30`, `Apartado de Correos 7`.
pub const PO_BOX: &str = r"(?-u:\b)(?:P\.?[ \t]?O\.?[ \t]*Box|PO[ \t]+Box|Post[ \t]+Office[ \t]+Box|Postfach|Apartado(?:[ \t]+de[ \t]+Correos)?|Casella[ \t]+Postale|Boîte[ \t]+Postale|Caixa[ \t]+Postal)[ \t]*\d{1,7}(?:[ \t]\d{2}){0,2}(?-u:\b)";

/// Postcodes: US ZIP(+4), UK, Canadian, Portuguese, Dutch, and five digits (DE, FR, IT, ES).
const POSTCODE: &str = r"(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|\d{4}-\d{3}|\d{4}[ \t]?[A-Z]{2})";

struct Tail {
    unit: Regex,
    sep: Regex,
    postcode_city: Regex,
    city: Regex,
    state: Regex,
    postcode: Regex,
}

#[allow(clippy::disallowed_methods)] // compiled once, in this static
static TAIL: LazyLock<Tail> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("invariant: address patterns compile");
    let city = r"\p{Lu}[\p{L}'’\-]*\b(?:[ \t]+(?:(?:de|del|la|le|sur|upon|on|am|im|an|der)[ \t]+)?\p{Lu}[\p{L}'’\-]*\b){0,2}";
    Tail {
        unit: r(
            r"^(?:,[ \t]*(?:\r?\n[ \t]*)?|[ \t]*\r?\n[ \t]*|[ \t]+)(?:(?:Apt|Apartment|Unit|Suite|Ste|Flat|Floor|Fl|Room|Rm|Bât|Bâtiment|Bat|Piso|Escalera|Esc|Puerta|Stiege|Top|Wohnung)\.?[ \t]*#?[ \t]*[A-Za-z0-9\-]{1,6}|\d{1,3}(?:st|nd|rd|th)[ \t]+(?:Floor|Fl\.?)|(?:Station|Stn\.?|RPO|Succ\.?|Succursale)[ \t]+\p{Lu}[\p{L}\-]*|#[ \t]*[A-Za-z0-9\-]{1,6}|\d{1,2}\.?º[ \t]*(?:(?i:izq(?:da)?|dcha|dto|esq)(?-u:\b)|[A-D](?-u:\b))?|r/c|bajo|entresuelo|ático)",
        ),
        sep: r(r"^(?:,[ \t]*(?:\r?\n[ \t]*)?|[ \t]*\r?\n[ \t]*|[ \t]+)"),
        postcode_city: r(&format!(r"^{POSTCODE}[ \t]+{city}")),
        city: r(&format!("^{city}")),
        state: r(
            r"^(?:,[ \t]*|[ \t]+)(?:[A-Z]{2,3}(?-u:\b)|\p{Lu}[\p{L}\-]+\b(?:[ \t]+\p{Lu}[\p{L}\-]+\b)?)",
        ),
        postcode: r(&format!(r"^(?:,?[ \t]*(?:\r?\n[ \t]*)?){POSTCODE}(?-u:\b)")),
    }
});

/// Whether a street-part match is a post-office box.
#[allow(clippy::disallowed_methods)] // compiled once, in this static
pub fn is_po_box(m: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!("^{PO_BOX}")).expect("invariant: PO box pattern compiles")
    });
    RE.is_match(m)
}

/// Whether `word` is a known state or region (or a short form).
fn region_word(word: &str) -> bool {
    super::names::region(word)
}

/// Whether `word` is a known city or town.
fn city_word(word: &str) -> bool {
    super::names::location(word)
}

/// Extend the street part `text[s..e]` over what is attached to it. Returns the new end.
pub fn extend(text: &str, e: usize) -> usize {
    let t = &*TAIL;
    let mut end = e;
    // Units, one or two ("Apt 4B", "Bât. B", "3º izq").
    for _ in 0..2 {
        match t.unit.find(&text[end..]) {
            Some(m) => end += m.end(),
            None => break,
        }
    }
    let Some(sep) = t.sep.find(&text[end..]) else {
        return end;
    };
    let at = end + sep.end();
    let newline = sep.as_str().contains('\n');
    let comma = sep.as_str().contains(',');
    // "40126 Bologna", "1250-191 Lisboa".
    if let Some(m) = t.postcode_city.find(&text[at..]) {
        return at + m.end();
    }
    // "Boise, ID 83731", "Liverpool L8 5AP", "Calgary, AB T2S 6C7", "Belfast\nBT7 3WQ".
    if (comma || newline)
        && let Some(m) = t.city.find(&text[at..])
    {
        let city_end = at + m.end();
        let mut stop = city_end;
        let mut attached = false;
        if let Some(st) = t.state.find(&text[city_end..]) {
            let word = st.as_str().trim_start_matches([',', ' ', '\t']);
            let short = word.len() == 2 && word.chars().all(|c| c.is_ascii_uppercase());
            let word = word.trim_end();
            if short || region_word(word) {
                stop = city_end + st.end();
                attached = true;
            }
        }
        if let Some(pc) = t.postcode.find(&text[stop..]) {
            stop += pc.end();
            attached = true;
        }
        if attached || newline || city_word(m.as_str()) {
            return stop;
        }
    }
    end
}
