// The older majors are installed under npm aliases; their API matches the types of the current major closely
// enough for the drivers.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
