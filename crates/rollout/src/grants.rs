//! Comparing IAM statements: whether what a resource grants now is within what it granted
//! before, and statements in words.
//!
//! The comparison errs towards "not covered": it matches wildcards as IAM does (`*`, `?`;
//! actions ignore case) and treats a condition as narrowing, but it never reasons about
//! `NotAction`, `NotResource`, `NotPrincipal` or content known only at deployment; such a
//! statement is covered only by the very same grant. A false "wider" costs a question to a
//! person; a false "not wider" would let a widened permission through unasked.

use stackweave_diff::IamStatement;

use crate::text::some_of;

/// Whether a statement denies (`Effect` is `Deny`, in any case).
pub(crate) fn is_deny(statement: &IamStatement) -> bool {
    statement.effect.eq_ignore_ascii_case("Deny")
}

/// Whether `wider` (statements of one resource) together grant, or deny, at least what
/// `narrow` does: with the same effect, every action, resource and principal of `narrow`
/// matched by one statement's patterns (`*` and `?` wildcards; actions ignore case), under
/// no condition or the same one. A statement with `NotAction`, `NotResource`,
/// `NotPrincipal` or content known only at deployment is covered only by the same grant.
pub(crate) fn covered(narrow: &IamStatement, wider: &[&IamStatement]) -> bool {
    if wider.iter().any(|w| w.same_grant(narrow)) {
        return true;
    }
    let plain = |s: &IamStatement| {
        s.unresolved.is_none()
            && s.not_actions.is_empty()
            && s.not_resources.is_empty()
            && s.not_principals.is_empty()
            && !s.actions.is_empty()
    };
    if !plain(narrow) {
        return false;
    }
    let eligible: Vec<&IamStatement> = wider
        .iter()
        .copied()
        .filter(|w| plain(w) && w.effect.eq_ignore_ascii_case(&narrow.effect))
        .filter(|w| w.condition.is_none() || w.condition == narrow.condition)
        .collect();
    let each = |items: &[String]| -> Vec<Option<String>> {
        if items.is_empty() {
            vec![None]
        } else {
            items.iter().cloned().map(Some).collect()
        }
    };
    let matched = |patterns: &[String], item: &Option<String>, ignore_case: bool| match item {
        None => patterns.is_empty(),
        Some(item) => patterns.iter().any(|p| wildcard(p, item, ignore_case)),
    };
    let (resources, principals) = (each(&narrow.resources), each(&narrow.principals));
    narrow.actions.iter().all(|action| {
        let action = Some(action.clone());
        resources.iter().all(|resource| {
            principals.iter().all(|principal| {
                eligible.iter().any(|w| {
                    matched(&w.actions, &action, true)
                        && matched(&w.resources, resource, false)
                        && matched(&w.principals, principal, false)
                })
            })
        })
    })
}

/// Whether IAM's wildcard `pattern` (`*` any run of characters, `?` one) matches `text`.
fn wildcard(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (fold(pattern), fold(text));
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and where in the text it started matching.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_at, matched_from)) = star {
            // Let the last `*` swallow one more character, and retry.
            pi = star_at + 1;
            ti = matched_from + 1;
            star = Some((star_at, matched_from + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A statement in words: `s3:GetObject, s3:PutObject on ${Bucket.Arn}/*`, with its
/// principals and condition when it has them.
pub(crate) fn describe(statement: &IamStatement) -> String {
    if let Some(unresolved) = &statement.unresolved {
        return format!("a statement known only at deployment: {unresolved}");
    }
    let mut text = if !statement.actions.is_empty() {
        some_of(&statement.actions, 6)
    } else if !statement.not_actions.is_empty() {
        format!("every action but {}", some_of(&statement.not_actions, 6))
    } else {
        "no action".to_owned()
    };
    if !statement.resources.is_empty() {
        text.push_str(&format!(" on {}", some_of(&statement.resources, 6)));
    } else if !statement.not_resources.is_empty() {
        text.push_str(&format!(
            " on everything but {}",
            some_of(&statement.not_resources, 6)
        ));
    }
    if !statement.principals.is_empty() {
        text.push_str(&format!(" by {}", some_of(&statement.principals, 6)));
    } else if !statement.not_principals.is_empty() {
        text.push_str(&format!(
            " by anyone but {}",
            some_of(&statement.not_principals, 6)
        ));
    }
    if let Some(condition) = &statement.condition {
        text.push_str(&format!(" when {condition}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_iam_reads_them() {
        assert!(wildcard("s3:*", "s3:GetObject", true));
        assert!(wildcard("S3:Get*", "s3:getobject", true));
        assert!(!wildcard("s3:Get*", "s3:PutObject", true));
        assert!(wildcard("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", false));
        assert!(!wildcard("arn:aws:s3:::b/*", "arn:aws:s3:::c/x", false));
        assert!(wildcard("s3:Get?bject", "s3:GetObject", false));
        assert!(wildcard("*", "", false));
        assert!(!wildcard("a*b*c", "abca_", false));
        assert!(wildcard("a*b*c", "a_b_b_c", false));
    }

    #[test]
    fn coverage_needs_every_action_and_resource() {
        let statement = |actions: &[&str], resources: &[&str]| IamStatement {
            effect: "Allow".to_owned(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources: resources.iter().map(|r| r.to_string()).collect(),
            ..IamStatement::default()
        };
        let get = statement(&["s3:GetObject"], &["arn:b/*"]);
        let put = statement(&["s3:PutObject"], &["arn:b/*"]);
        let both = statement(&["s3:GetObject", "s3:PutObject"], &["arn:b/*"]);
        let all = statement(&["s3:*"], &["*"]);
        assert!(
            covered(&both, &[&get, &put]),
            "split statements still cover"
        );
        assert!(!covered(&both, &[&get]));
        assert!(covered(&get, &[&all]));
        assert!(!covered(&all, &[&get, &put]));
        let conditional = IamStatement {
            condition: Some(serde_json::json!({"Bool": {"aws:SecureTransport": "true"}})),
            ..get.clone()
        };
        assert!(covered(&conditional, &[&get]), "a condition only narrows");
        assert!(
            !covered(&get, &[&conditional]),
            "dropping a condition widens"
        );
    }
}
