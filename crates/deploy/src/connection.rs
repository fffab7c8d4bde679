//! Where requests go and as whom: the SDK's standard chain (environment, `--profile`,
//! shared files, SSO, process credentials, instance roles), an optional endpoint (for a
//! local server; the SDK also reads `AWS_ENDPOINT_URL` itself), and one CloudFormation
//! and one S3 client per region, made the first time a region is asked for.

use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_config::{BehaviorVersion, Region, SdkConfig};

/// How to connect, as the command line says.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// A profile of the shared config files, instead of the default chain's choice.
    pub profile: Option<String>,
    /// Send every request here instead of AWS (a local server, a proxy).
    pub endpoint_url: Option<String>,
    /// The region of stacks that do not say theirs (a stack file, not an app).
    pub region: Option<String>,
}

/// The shared configuration and the clients made from it so far.
pub struct Connection {
    config: SdkConfig,
    clients: Mutex<BTreeMap<String, Clients>>,
}

/// The clients of one region.
#[derive(Clone)]
pub struct Clients {
    /// CloudFormation.
    pub cloudformation: aws_sdk_cloudformation::Client,
    /// S3, for templates over the inline limit.
    pub s3: aws_sdk_s3::Client,
}

impl Connection {
    /// Loads the configuration once: credentials are resolved lazily, at the first request.
    pub async fn load(settings: &Settings) -> Connection {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        Connection {
            config: loader.load().await,
            clients: Mutex::new(BTreeMap::new()),
        }
    }

    /// The region the SDK chain chose (environment, profile), for stacks without one.
    pub fn default_region(&self) -> Option<String> {
        self.config.region().map(|r| r.to_string())
    }

    /// The clients of `region`, made once.
    pub fn clients(&self, region: &str) -> Clients {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(region.to_owned())
            .or_insert_with(|| {
                let region = Region::new(region.to_owned());
                let cloudformation = aws_sdk_cloudformation::config::Builder::from(&self.config)
                    .region(region.clone())
                    .build();
                // A local endpoint has no per-bucket host names: address buckets by path.
                let s3 = aws_sdk_s3::config::Builder::from(&self.config)
                    .region(region)
                    .force_path_style(self.config.endpoint_url().is_some())
                    .build();
                Clients {
                    cloudformation: aws_sdk_cloudformation::Client::from_conf(cloudformation),
                    s3: aws_sdk_s3::Client::from_conf(s3),
                }
            })
            .clone()
    }
}
