//! Ready-to-paste client settings for the three SDKs (product §13): the README's snippets are
//! these templates (a test keeps them equal), and the console fills them with the endpoint's
//! address and a chosen principal's AccessKey.

use crate::core::secret::SecretString;

/// The address the templates show (the default `--listen`).
pub const TEMPLATE_ENDPOINT: &str = "127.0.0.1:20160";

/// One SDK's snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snippet {
    /// What the snippet drives, e.g. `Python, aliyun-python-sdk-kms`.
    pub title: &'static str,
    /// The README's code-block language.
    pub language: &'static str,
    /// The code, reading the AccessKey from the environment.
    pub template: &'static str,
}

/// aliyun-python-sdk-kms on aliyun-python-sdk-core (signature V1).
pub const PYTHON_CORE: Snippet = Snippet {
    title: "Python, aliyun-python-sdk-kms (signature V1)",
    language: "python",
    template: r#"import json, os
from aliyunsdkcore.client import AcsClient
from aliyunsdkkms.request.v20160120.DecryptRequest import DecryptRequest
from aliyunsdkkms.request.v20160120.EncryptRequest import EncryptRequest

client = AcsClient(os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                   os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], "cn-hangzhou")

def local(request):  # each request: the local endpoint, plain HTTP
    request.set_endpoint("127.0.0.1:20160")
    request.set_protocol_type("http")
    return request

req = local(EncryptRequest())
req.set_KeyId("alias/orders")
req.set_Plaintext("hello")
blob = json.loads(client.do_action_with_exception(req))["CiphertextBlob"]
req = local(DecryptRequest())
req.set_CiphertextBlob(blob)
print(json.loads(client.do_action_with_exception(req))["Plaintext"])
"#,
};

/// alibabacloud_kms20160120 on alibabacloud_tea_openapi (ACS3 by default).
pub const PYTHON_TEA: Snippet = Snippet {
    title: "Python, alibabacloud_kms20160120 (ACS3-HMAC-SHA256)",
    language: "python",
    template: r#"import os
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi.models import Config

client = Client(Config(
    access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
    access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
    endpoint="127.0.0.1:20160",
    protocol="http",
    # signature_algorithm="v2",  # HMAC-SHA1 instead of ACS3-HMAC-SHA256: works too
))
blob = client.encrypt(models.EncryptRequest(key_id="alias/orders", plaintext="hello")).body.ciphertext_blob
print(client.decrypt(models.DecryptRequest(ciphertext_blob=blob)).body.plaintext)
"#,
};

/// @alicloud/pop-core (signature V1).
pub const NODE_POP_CORE: Snippet = Snippet {
    title: "Node, @alicloud/pop-core (signature V1)",
    language: "js",
    template: r"const RPCClient = require('@alicloud/pop-core').RPCClient;

const client = new RPCClient({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  endpoint: 'http://127.0.0.1:20160',
  apiVersion: '2016-01-20',
});

(async () => {
  const { CiphertextBlob } = await client.request('Encrypt',
    { KeyId: 'alias/orders', Plaintext: 'hello' }, { method: 'POST' });
  const { Plaintext } = await client.request('Decrypt', { CiphertextBlob });
  console.log(Plaintext);
})();
",
};

/// The three, in the README's order.
pub const ALL: [Snippet; 3] = [PYTHON_CORE, PYTHON_TEA, NODE_POP_CORE];

impl Snippet {
    /// The snippet pointed at `endpoint` (`HOST:PORT`) with this AccessKey written in. It holds
    /// the secret, so it comes back as a secret.
    pub fn filled(
        &self,
        endpoint: &str,
        access_key_id: &str,
        secret: &SecretString,
    ) -> SecretString {
        let (id_from_env, secret_from_env, quote) = if self.language == "js" {
            (
                "process.env.ALIBABA_CLOUD_ACCESS_KEY_ID",
                "process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                '\'',
            )
        } else {
            (
                "os.environ[\"ALIBABA_CLOUD_ACCESS_KEY_ID\"]",
                "os.environ[\"ALIBABA_CLOUD_ACCESS_KEY_SECRET\"]",
                '"',
            )
        };
        let text = self
            .template
            .replace(TEMPLATE_ENDPOINT, endpoint)
            .replace(id_from_env, &format!("{quote}{access_key_id}{quote}"))
            .replace(
                secret_from_env,
                &format!("{quote}{}{quote}", secret.expose()),
            );
        SecretString::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_snippets_carry_the_address_and_key_and_read_no_environment() {
        let secret = SecretString::from("s3cr3t");
        for s in ALL {
            let text = s.filled("127.0.0.1:4242", "LTAIabc", &secret);
            let text = text.expose();
            assert!(
                text.contains("127.0.0.1:4242") && !text.contains(TEMPLATE_ENDPOINT),
                "{text}"
            );
            assert!(
                text.contains("LTAIabc") && text.contains("s3cr3t"),
                "{text}"
            );
            assert!(!text.contains("ALIBABA_CLOUD_ACCESS_KEY"), "{text}");
        }
    }
}
