//! Word lists of the PII detectors: the top-level domains a bare domain may end with (the
//! capitalised words that are not names live in `data/pii/not_names.txt`, see `super::names`).

/// The top-level domains a bare domain name may end in (lower case; alternation order).
pub const DOMAIN_TLDS: [&str; 54] = [
    "com", "org", "net", "edu", "gov", "info", "biz", "blog", "app", "dev", "io", "ai", "co", "me",
    "tv", "ly", "health", "care", "online", "site", "xyz", "club", "life", "live", "help", "page",
    "website", "space", "uk", "de", "fr", "es", "it", "nl", "ca", "au", "us", "be", "ch", "at",
    "se", "no", "dk", "fi", "ie", "nz", "in", "jp", "br", "mx", "pl", "pt", "gr", "za",
];
