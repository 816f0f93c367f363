-- 0007 provisioning workflow: where each deployment's run stands (step, attempt, deadline, last error),
-- so a restarted Portal resumes a run at the step it was in.

CREATE TABLE "DeploymentWorkflows" (
    "DeploymentId" bigint NOT NULL,
    "Step" character varying(32) NOT NULL,
    "Attempt" integer NOT NULL,
    "StepStartedAt" timestamp with time zone NOT NULL,
    "Deadline" timestamp with time zone,
    "LastError" character varying(2000),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_DeploymentWorkflows" PRIMARY KEY ("DeploymentId"),
    CONSTRAINT "FK_DeploymentWorkflows_Deployments_DeploymentId" FOREIGN KEY ("DeploymentId") REFERENCES "Deployments" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_DeploymentWorkflows_Step" ON "DeploymentWorkflows" ("Step");
