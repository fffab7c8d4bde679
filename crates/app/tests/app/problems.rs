//! Every kind of problem, with the line and column it is reported at and what it says.

use stackweave_app::{AppError, parse_app_str};
use stackweave_location::Location;

use crate::{assert_problems, invalid, ok, only, parse, with_env};

#[test]
fn unknown_keys_suggest_the_closest_at_their_line() {
    let help = only(
        "name: Demo\nstack: [api.yaml]\nstacks: [api.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n",
        "2:1 unknown key `stack` in the app file",
    );
    assert!(
        help.starts_with("did you mean `stacks`? the app file accepts `name`, "),
        "{help}"
    );

    let help = only(
        &with_env("    regoin: eu-west-1\n"),
        "6:5 unknown key `regoin` in environment `dev`",
    );
    assert_eq!(
        help,
        "did you mean `region`? environment `dev` accepts `region`, `account`, `bucket`, `tags`, `parameters`, `values`, `stacks`"
    );

    let help = only(
        &with_env("    stacks:\n      Api:\n        outputRole: arn:aws:iam::1:role/r\n"),
        "8:9 unknown key `outputRole` in the placement of stack `Api`",
    );
    assert!(help.starts_with("did you mean `outputsRole`?"), "{help}");

    let help = only(
        &with_env("    colour: blue\n"),
        "6:5 unknown key `colour` in environment `dev`",
    );
    assert!(help.starts_with("remove it; "), "{help}");
}

#[test]
fn missing_required_keys_are_reported_at_their_owner() {
    assert_problems!(
        "name: Demo\n",
        [
            "1:1 the app file has no `stacks`",
            "1:1 the app file has no `environments`"
        ]
    );
    let problems = assert_problems!(
        "name: Demo\nstacks: [api.yaml]\nenvironments:\n  dev:\n    account: \"111111111111\"\n  prod:\n",
        [
            "4:3 environment `dev` has no `region`",
            "6:3 environment `prod` has no `region`",
        ]
    );
    assert_eq!(
        problems[0].help.as_deref(),
        Some("add `region:` to environment `dev`")
    );
}

#[test]
fn empty_file_and_non_mapping_root() {
    let problems = assert_problems!("# nothing\n", ["1:1 the app file is empty"]);
    assert!(problems[0].help.as_deref().unwrap().contains("name: MyApp"));
    assert_problems!("- a\n- b\n", ["1:1 the app file must be a mapping"]);
}

#[test]
fn regions_must_have_the_shape_of_a_region() {
    let help = only(
        "name: Demo\nstacks: [api.yaml]\nenvironments:\n  dev:\n    region: Ireland\n",
        "5:13 `Ireland` is not an AWS region",
    );
    assert!(help.contains("`eu-west-1`"), "{help}");
    assert_problems!(
        &with_env("    stacks:\n      Api:\n        region: us-east\n"),
        ["8:17 `us-east` is not an AWS region"]
    );
    assert_problems!(
        "name: Demo\nstacks: [api.yaml]\nenvironments:\n  dev:\n    region: 1\n",
        ["5:13 `region` must be a string"]
    );
}

#[test]
fn a_bucket_must_be_an_s3_bucket_name() {
    let help = only(
        &with_env("    bucket: My_Bucket\n"),
        "6:13 `My_Bucket` is not an S3 bucket name",
    );
    assert!(
        help.starts_with("write the name of an existing bucket"),
        "{help}"
    );
    let app = ok(&with_env("    bucket: my-artifacts-bucket\n"));
    assert_eq!(
        app.environments[0].bucket.as_deref(),
        Some("my-artifacts-bucket")
    );
}

#[test]
fn a_numeric_account_must_be_quoted_as_written() {
    let help = only(
        &with_env("    account: 111111111111\n"),
        "6:14 `account` must be a string, not a number",
    );
    assert_eq!(
        help,
        "quote it: `account: \"111111111111\"` (an account id is text; YAML would drop leading zeros)"
    );
    // The fix quotes the number as written, also inside a flow mapping.
    let help = only(
        &with_env("    stacks:\n      Api: {account: 222222222222, region: us-east-1}\n"),
        "7:22 `account` must be a string, not a number",
    );
    assert!(
        help.starts_with("quote it: `account: \"222222222222\"`"),
        "{help}"
    );
    // serde_yaml reads a number with a leading zero as text, which is what was meant.
    let app = crate::ok(&with_env("    account: 011111111111\n"));
    assert_eq!(app.environments[0].account.as_deref(), Some("011111111111"));
}

#[test]
fn an_account_is_twelve_digits() {
    let help = only(
        &with_env("    account: \"1234\"\n"),
        "6:14 account id `1234` is not 12 digits",
    );
    assert!(help.contains("`account: \"111111111111\"`"), "{help}");
}

#[test]
fn names_must_follow_their_patterns() {
    let problems = assert_problems!(
        "name: 2Demo\nstacks: [api.yaml]\nenvironments:\n  dev_1:\n    region: eu-west-1\n    parameters:\n      api_stack:\n        Alarm-Email: x\n    values:\n      log-days: 7\n    stacks:\n      Api_2:\n        region: us-east-1\n",
        [
            "1:7 app name `2Demo` is not valid",
            "4:3 environment name `dev_1` is not valid",
            "7:7 stack name `api_stack` is not valid",
            "8:9 parameter name `Alarm-Email` is not valid",
            "10:7 value name `log-days` is not valid",
            "12:7 stack name `Api_2` is not valid",
        ]
    );
    let help = |i: usize| problems[i].help.clone().unwrap();
    assert!(help(0).contains("`[A-Za-z][A-Za-z0-9-]*`") && help(0).contains("64 characters"));
    assert!(help(1).contains("32 characters"), "{}", help(1));
    assert!(
        help(4).starts_with("stack files read a value as `${value:name}`"),
        "{}",
        help(4)
    );

    let long = "e".repeat(33);
    assert_problems!(
        &format!("name: Demo\nstacks: [a.yaml]\nenvironments:\n  {long}:\n    region: eu-west-1\n"),
        [format!("4:3 environment name `{long}` is not valid")]
    );
}

#[test]
fn a_stack_name_that_would_be_too_long_is_reported_where_the_stack_is_named() {
    let app = "A".repeat(64);
    let env = "e".repeat(32);
    let stack = "S".repeat(31);
    let text = format!(
        "name: {app}\nstacks: [a.yaml]\nenvironments:\n  {env}:\n    region: eu-west-1\n    stacks:\n      {stack}:\n        region: us-east-1\n      Short:\n        region: us-east-1\n"
    );
    let help = only(
        &text,
        &format!("7:7 stack name `{app}-{env}-{stack}` would be 129 characters long"),
    );
    assert!(help.starts_with("CloudFormation allows 128; "), "{help}");
}

#[test]
fn a_stack_file_may_be_listed_once() {
    let problems = assert_problems!(
        "name: Demo\nstacks:\n  - api.yaml\n  - ./api.yaml\n  - other.yaml\n  - \" \"\nenvironments:\n  dev:\n    region: eu-west-1\n",
        [
            "4:5 stack file `apps/refarch/api.yaml` is listed twice (first at line 3)",
            "6:5 stack file path is empty",
        ]
    );
    assert_eq!(
        problems[0].help.as_deref(),
        Some("list each stack file once")
    );
}

#[test]
fn stacks_and_environments_may_not_be_empty() {
    assert_problems!(
        "name: Demo\nstacks: []\nenvironments: {}\n",
        ["2:1 `stacks` is empty", "3:1 `environments` is empty"]
    );
    assert_problems!(
        "name: Demo\nstacks:\nenvironments:\n",
        ["2:1 `stacks` is empty", "3:1 `environments` is empty"]
    );
    assert_problems!(
        "name: Demo\nstacks: api.yaml\nenvironments: [dev]\n",
        [
            "2:9 `stacks` must be a list of stack files",
            "3:15 `environments` must be a mapping"
        ]
    );
}

#[test]
fn tags_within_aws_limits() {
    let many: String = (0..51).map(|i| format!("      t{i}: v\n")).collect();
    let help = only(
        &with_env(&format!("    tags:\n{many}")),
        "6:5 `tags` has 51 tags; CloudFormation allows 50 on a stack",
    );
    assert_eq!(help, "remove some tags");

    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    let problems = assert_problems!(
        &with_env(&format!(
            "    tags:\n      aws:owner: me\n      AWS:team: us\n      {long_key}: x\n      big: {long_value}\n      list: [a]\n      empty:\n      ok: {}\n",
            "v".repeat(256)
        )),
        [
            "7:7 tag key `aws:owner` starts with `aws:`",
            "8:7 tag key `AWS:team` starts with `aws:`",
            format!("9:7 tag key `{long_key}` is 129 characters long"),
            "10:12 the value of tag `big` is 257 characters long",
            "11:13 tag `list` must be a string, number or boolean",
            "12:7 tag `empty` must be a string, number or boolean",
        ]
    );
    assert_eq!(
        problems[0].help.as_deref(),
        Some("AWS keeps the `aws:` prefix for its own tags; rename the tag")
    );
}

#[test]
fn a_value_has_one_type_in_every_environment() {
    let text = "name: Demo\nstacks: [api.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n    values:\n      logRetentionDays: 7\n      stage: dev\n  test:\n    region: eu-west-1\n    values:\n      logRetentionDays: 14.5\n  prod:\n    region: eu-west-1\n    values:\n      logRetentionDays: \"30\"\n      stage: [prod]\n";
    let problems = assert_problems!(
        text,
        [
            "16:7 value `logRetentionDays` is a string in environment `prod` but a number in `dev`",
            "17:7 value `stage` is a list in environment `prod` but a string in `dev`",
        ]
    );
    assert!(
        problems[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("give it the same type in every environment")
    );
}

#[test]
fn a_value_may_not_be_null_or_tagged() {
    let help = only(
        &with_env("    values:\n      stage: ~\n"),
        "7:14 value `stage` is null",
    );
    assert!(help.starts_with("give it a value, or remove it"), "{help}");
    assert_problems!(
        &with_env("    values:\n      list: [1, !file x.json]\n      deep: {a: .nan}\n"),
        [
            "7:17 tag `!file` is not allowed in an app file",
            "8:17 number `.nan` cannot be represented in JSON",
        ]
    );
}

#[test]
fn parameter_values_are_scalars_or_lists_of_scalars() {
    assert_problems!(
        &with_env(
            "    parameters:\n      Api:\n        Email: {a: 1}\n        Subnets: [a, [b]]\n        Names: [\"x,y\"]\n        Nothing:\n"
        ),
        [
            "8:16 parameter `Email` must be a string, number or boolean",
            "9:22 an item of parameter `Subnets` must be a string, number or boolean",
            "10:17 an item of parameter `Names` contains a comma",
            "11:9 parameter `Nothing` must be a string, number or boolean",
        ]
    );
}

#[test]
fn outputs_role_must_be_a_role_arn() {
    let help = only(
        &with_env("    stacks:\n      Api:\n        outputsRole: read-outputs\n"),
        "8:22 `outputsRole` `read-outputs` is not the ARN of an IAM role",
    );
    assert!(
        help.contains("arn:aws:iam::222222222222:role/read-outputs"),
        "{help}"
    );
    assert_problems!(
        &with_env("    stacks:\n      Api:\n      Web: {}\n"),
        [
            "7:7 the placement of stack `Api` is empty",
            "8:7 the placement of stack `Web` is empty",
        ]
    );
}

#[test]
fn references_is_weak_or_strong() {
    let help = only(
        "name: Demo\nstacks: [api.yaml]\nreferences: storng\nenvironments:\n  dev:\n    region: eu-west-1\n",
        "3:13 `references` must be `weak` or `strong`, not `storng`",
    );
    assert!(
        help.starts_with("did you mean `strong`? `weak` (the default)"),
        "{help}"
    );
}

#[test]
fn description_is_text_of_bounded_length() {
    let long = "d".repeat(1025);
    assert_problems!(
        &format!(
            "name: Demo\ndescription: {long}\nstacks: [a.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n"
        ),
        ["2:14 description is 1025 characters long, more than 1024"]
    );
}

#[test]
fn duplicate_keys_are_reported_at_the_second_occurrence() {
    assert_problems!(
        "name: Demo\nstacks: [a.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n    region: us-east-1\n  dev:\n    region: eu-west-1\n",
        [
            "6:5 duplicate key `region` (first written at line 5)",
            "7:3 duplicate key `dev` (first written at line 4)",
        ]
    );
    // The same text, once a boolean and once a string: reported once.
    assert_problems!(
        &with_env("    tags:\n      true: a\n      \"true\": b\n"),
        ["8:7 duplicate key `true` (first written at line 7)"]
    );
    // A number and a string that become the same text.
    assert_problems!(
        &with_env("    tags:\n      1e0: a\n      \"1.0\": b\n"),
        ["8:7 two keys of `tags` both mean `1.0`"]
    );
    // Two spellings of one boolean: serde_yaml refuses them itself.
    let error = parse(&with_env("    tags:\n      True: a\n      true: b\n")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "apps/refarch/app.yaml:7:7: invalid YAML: environments.dev.tags: duplicate entry with key `true` at line 7 column 7; fix the YAML syntax at that position"
    );
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let error = parse("name: Demo\nstacks: []\nenvironments:\n  dev:\n    region: Ireland\n    acount: \"111111111111\"\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the app file has 3 problems; fix them and run again\n\
         apps/refarch/app.yaml:2:1: `stacks` is empty\n  \
         help: list the app's stack files, relative to the app file, e.g. `stacks: [api.yaml]`\n\
         apps/refarch/app.yaml:5:13: `Ireland` is not an AWS region\n  \
         help: write a region such as `eu-west-1` or `us-gov-west-1` (`[a-z]{2}(-[a-z]+)+-[0-9]+`)\n\
         apps/refarch/app.yaml:6:5: unknown key `acount` in environment `dev`\n  \
         help: did you mean `account`? environment `dev` accepts `region`, `account`, `bucket`, `tags`, `parameters`, `values`, `stacks`"
    );
    assert_eq!(error.diagnostics().len(), 3);
    assert_eq!(
        error.diagnostics()[1].to_string(),
        "error: `Ireland` is not an AWS region\n  --> apps/refarch/app.yaml:5:13\n   = help: write a region such as `eu-west-1` or `us-gov-west-1` (`[a-z]{2}(-[a-z]+)+-[0-9]+`)\n"
    );
}

#[test]
fn bad_yaml_is_a_syntax_error_with_its_location() {
    let error = parse("name: Demo\nstacks: [a.yaml\n").unwrap_err();
    let AppError::Syntax {
        location, message, ..
    } = &error
    else {
        panic!("expected a syntax error, got {error}");
    };
    assert_eq!(*location, Some(Location { line: 3, column: 1 }));
    assert!(message.contains("flow sequence"), "{message}");
    assert!(
        error
            .to_string()
            .starts_with("apps/refarch/app.yaml:3:1: invalid YAML: "),
        "{error}"
    );
    let diagnostics = error.diagnostics();
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0]
            .message
            .starts_with("the app file is not valid YAML: ")
    );
    assert_eq!(
        diagnostics[0].location,
        Some(Location { line: 3, column: 1 })
    );
    assert_eq!(
        diagnostics[0].file.as_deref(),
        Some(std::path::Path::new(crate::PATH))
    );
}

#[test]
fn a_control_character_is_a_syntax_error_at_its_position() {
    let error = parse("name: De\u{1b}mo\n").unwrap_err();
    assert!(
        error.to_string().starts_with(
            "apps/refarch/app.yaml:1:9: invalid YAML: character U+001B is a control character"
        ),
        "{error}"
    );
}

#[test]
fn a_tag_is_named_where_a_mapping_is_expected() {
    let problems = invalid(&with_env("    tags: !file tags.yaml\n"));
    assert_eq!(
        problems[0].message,
        "tag `!file` is not allowed in an app file"
    );
    assert_eq!(problems[0].help.as_deref(), Some("remove the tag"));
}

#[test]
fn paths_are_joined_onto_the_app_files_folder_only_in_the_model() {
    // Parsing text reads nothing: a stack file that does not exist is synthesis's problem.
    let app = parse_app_str(
        std::path::Path::new("/nowhere/app.yaml"),
        "name: Demo\nstacks: [sub/api.yaml]\nenvironments:\n  dev:\n    region: eu-west-1\n",
    )
    .unwrap();
    assert_eq!(
        app.stacks[0].file,
        std::path::Path::new("/nowhere/sub/api.yaml")
    );
}
