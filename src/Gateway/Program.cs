// `presign` prints a presigned OSS URL from the server's configuration and exits; anything else runs the gateway.
if (args is [Gateway.Presign.PresignCommand.Name, .. var presignArgs])
{
    return await Gateway.Presign.PresignCommand.RunAsync(presignArgs);
}

await Gateway.GatewayApplication.Create(args).RunAsync();
return 0;
