package smoke;

import java.util.Map;

import org.paymentplatform.EnvironmentProfile;
import org.paymentplatform.EnvironmentProfileOverrides;
import org.paymentplatform.PaymentPlatform;
import org.paymentplatform.Profiles;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/** A Java user's CDK app: the stock staging platform and one derived from it. */
public final class SmokeApp {
    public static void main(final String[] args) {
        App app = new App(AppProps.builder().outdir(args[0]).build());

        EnvironmentProfile staging = Profiles.getStaging();
        new PaymentPlatform(stackIn(app, "Smoke-staging", staging), "Payments", staging);

        EnvironmentProfile custom = Profiles.derive(staging, EnvironmentProfileOverrides.builder()
                .region("eu-west-1")
                .apiRateLimit(250)
                .build());
        new PaymentPlatform(stackIn(app, "Smoke-custom", custom), "Payments", custom);

        for (CloudFormationStackArtifact stack : app.synth().getStacks()) {
            Map<?, ?> resources = (Map<?, ?>) ((Map<?, ?>) stack.getTemplate()).get("Resources");
            System.out.printf("java: %s in %s: %d resources%n",
                    stack.getStackName(), stack.getEnvironment().getRegion(), resources.size());
        }
    }

    private static Stack stackIn(final App app, final String id, final EnvironmentProfile profile) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().region(profile.getRegion()).build())
                .build());
    }
}
