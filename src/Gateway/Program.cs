await Gateway.GatewayApplication.Create(args).RunAsync();
