//! Colours: one per family of AWS services, the same in both syntaxes.

/// A colour scheme for one kind of box: light fill, darker border, dark text.
///
/// The text colour is always set: GitHub draws Mermaid with a dark theme for dark-mode
/// readers, whose light default text would vanish on these light fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Mermaid class name (and a stable name for the family).
    pub class: &'static str,
    /// Background.
    pub fill: &'static str,
    /// Border.
    pub stroke: &'static str,
}

/// Text colour on every coloured box.
pub const TEXT: &str = "#1a1a1a";

/// Outline of construct boxes: a mid grey, visible on light and dark backgrounds.
pub const CONSTRUCT: &str = "#9e9e9e";

/// Outline of stack frames (an app's stacks drawn together): a dark blue grey, solid, so
/// a frame reads apart from the dashed construct boxes inside it.
pub const STACK: &str = "#455a64";

/// Colour of arrows from one stack to another: the outputs' blue, since a stack reads
/// another's value through an output.
pub const ACROSS_STACKS: &str = "#1565c0";

/// Colour of "assumes" edges: the IAM red, so roles and their users stand out together.
pub const ASSUMES: &str = "#c62828";

const IAM: Palette = Palette {
    class: "iam",
    fill: "#fdecea",
    stroke: "#c62828",
};
const LOGS: Palette = Palette {
    class: "logs",
    fill: "#e0f2f1",
    stroke: "#00796b",
};
const STATES: Palette = Palette {
    class: "states",
    fill: "#fce4ec",
    stroke: "#ad1457",
};
const APIGATEWAY: Palette = Palette {
    class: "apigateway",
    fill: "#ede7f6",
    stroke: "#5e35b1",
};
const COMPUTE: Palette = Palette {
    class: "compute",
    fill: "#fff3e0",
    stroke: "#e65100",
};
const STORAGE: Palette = Palette {
    class: "storage",
    fill: "#e8f5e9",
    stroke: "#2e7d32",
};
const MESSAGING: Palette = Palette {
    class: "messaging",
    fill: "#fce4ec",
    stroke: "#ad1457",
};
const OTHER: Palette = Palette {
    class: "other",
    fill: "#f5f5f5",
    stroke: "#616161",
};
/// Parameters: inputs, in yellow.
pub const PARAMETER: Palette = Palette {
    class: "parameter",
    fill: "#fffde7",
    stroke: "#f9a825",
};
/// Outputs: what the stack offers, in blue.
pub const OUTPUT: Palette = Palette {
    class: "output",
    fill: "#e3f2fd",
    stroke: "#1565c0",
};

/// Every palette, in the order their Mermaid classes are declared.
pub const ALL: [Palette; 10] = [
    IAM, LOGS, STATES, APIGATEWAY, COMPUTE, STORAGE, MESSAGING, OTHER, PARAMETER, OUTPUT,
];

/// The palette of a resource type, by its service (`AWS::IAM::Role` → IAM).
pub fn for_type(resource_type: &str) -> Palette {
    let service = resource_type
        .strip_prefix("AWS::")
        .and_then(|rest| rest.split("::").next())
        .unwrap_or("");
    match service {
        "IAM" => IAM,
        "Logs" => LOGS,
        "StepFunctions" => STATES,
        "ApiGateway" | "ApiGatewayV2" => APIGATEWAY,
        "Lambda" | "ECS" | "EC2" | "Batch" | "AutoScaling" => COMPUTE,
        "S3" | "DynamoDB" | "EFS" | "RDS" => STORAGE,
        "SQS" | "SNS" | "Events" | "Kinesis" | "Pipes" | "Scheduler" => MESSAGING,
        _ => OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(for_type("AWS::IAM::Role").class, "iam");
        assert_eq!(for_type("AWS::Logs::LogGroup").class, "logs");
        assert_eq!(for_type("AWS::StepFunctions::StateMachine").class, "states");
        assert_eq!(for_type("AWS::ApiGateway::Stage").class, "apigateway");
        assert_eq!(for_type("Custom::Thing").class, "other");
        assert_eq!(for_type("").class, "other");
    }
}
