//! "Did you mean" suggestions for misspelt keys and names.
//!
//! A plain edit distance is enough here: the candidate lists are a handful of words, and a
//! suggestion is only offered when it is close enough to be a likely typo.

/// The candidate closest to `word`, if it is plausibly a typo of it: at most a third of the
/// longer name's characters apart (at least one), case ignored; of equally close
/// candidates, the first.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lowered = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            // Case slips (`logicalids`) cost nothing; other edits count fully.
            let distance = distance(&lowered, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|&(distance, candidate)| {
            let longest = word.chars().count().max(candidate.chars().count());
            distance <= (longest / 3).max(1)
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["plugin", "props", "logicalIds"];
        assert_eq!(closest("prop", keys), Some("props"));
        assert_eq!(closest("plugins", keys), Some("plugin"));
        assert_eq!(closest("logicalids", keys), Some("logicalIds"));
        assert_eq!(closest("logicalId", keys), Some("logicalIds"));
        assert_eq!(closest("resources", keys), None);
    }

    #[test]
    fn closest_finds_typos_but_not_strangers() {
        assert_eq!(closest("ur", ["id", "url", "stage"]), Some("url"));
        assert_eq!(closest("Workflw", ["Workflow", "Api"]), Some("Workflow"));
        assert_eq!(closest("banana", ["id", "url", "stage"]), None);
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
