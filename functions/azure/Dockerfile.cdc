# The Azure cdc consumer as a Container Apps job (issue 14): entry functions/azure/cdc-job.ts, bundled into a
# folder with this Dockerfile and nothing else (components/aws/bundle.ts); its tables come from the TABLES
# variable, so the image holds no table specs.
FROM public.ecr.aws/docker/library/node:22-bookworm-slim
WORKDIR /app
COPY index.js index.js.map ./
USER node
ENV NODE_OPTIONS=--enable-source-maps
CMD ["node", "/app/index.js"]
